package dev.stackquery.regression

import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryClientConfig
import dev.stackquery.future.FutureQueryClient
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.concurrent.ExecutionException
import kotlin.coroutines.CoroutineContext

/** Runs every task on [inner]; the first time, runs [beforeFirst] first (a `close()` forced in between). */
private class HookDispatcher(private val inner: CoroutineDispatcher) : CoroutineDispatcher() {
    var beforeFirst: (() -> Unit)? = null

    override fun dispatch(context: CoroutineContext, block: Runnable) {
        beforeFirst?.let {
            beforeFirst = null
            it()
        }
        inner.dispatch(context, block)
    }
}

/**
 * Issue 23, the `close()` race of `ConcurrencyStressSpec`: a caller racing `close()` got the
 * client's internal `JobCancellationException` ("Job was cancelled; job=SupervisorJobImpl
 * {Cancelled}") instead of `QueryClientClosedException` or `QueryCancelledException`. The
 * interleavings are forced here: close() between a fetch's creation and its first dispatch, and
 * the client's parent Job cancelled while callers wait (the client's job is then cancelled before
 * close() runs, so the fetches end with the job's own cancellation).
 */
class CloseRaceSpec : FunSpec({
    val options = queryOptions<String>(queryKey("slow"), queryFn = { awaitCancellation() })

    fun Throwable?.isClientOutcome() = this is QueryClientClosedException || this is QueryCancelledException

    test("close() between a fetch's start and its first dispatch ends the caller with a client exception") {
        runTest {
            val dispatcher = HookDispatcher(StandardTestDispatcher(testScheduler))
            val client = QueryClient(QueryClientConfig(coroutineContext = dispatcher))
            dispatcher.beforeFirst = { client.close() }
            val caller = async { runCatching { client.fetchQuery(options) }.exceptionOrNull() }
            runCurrent()
            caller.await().isClientOutcome() shouldBe true
        }
    }

    test(
        "a cancelled parent Job closes the client: a waiting caller gets QueryClientClosedException, not the job's cancellation",
    ) {
        runTest {
            val parent = Job()
            val client =
                QueryClient(QueryClientConfig(coroutineContext = StandardTestDispatcher(testScheduler) + parent))
            val callers = List(3) { async { runCatching { client.fetchQuery(options) }.exceptionOrNull() } }
            runCurrent()
            parent.cancel()
            runCurrent()
            for (caller in callers) caller.await().shouldBeInstanceOf<QueryClientClosedException>()
            runCatching {
                client.fetchQuery(options)
            }.exceptionOrNull().shouldBeInstanceOf<QueryClientClosedException>()
        }
    }

    test("from Java: the future of a fetch a cancelled parent Job ended fails with QueryClientClosedException") {
        runTest {
            val parent = Job()
            val client =
                QueryClient(QueryClientConfig(coroutineContext = StandardTestDispatcher(testScheduler) + parent))
            val future = FutureQueryClient.of(client).fetchQuery(options)
            runCurrent()
            parent.cancel()
            runCurrent()
            val failure = runCatching { future.get() }.exceptionOrNull()
            failure.shouldBeInstanceOf<ExecutionException>().cause.shouldBeInstanceOf<QueryClientClosedException>()
        }
    }
})
