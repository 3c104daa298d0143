package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** A client on the test's clock whose network [online] drives, with [networkMode] for mutations. */
private fun TestScope.offlineClient(online: OnlineManager, networkMode: NetworkMode = NetworkMode.ONLINE) =
    testClient(retryPolicy = RetryPolicy.fixed(1.seconds), onlineManager = online, networkMode = networkMode)

/** Every state of [mutation], `status/variables/paused/failureCount/context`, recorded as it changes. */
@OptIn(ExperimentalCoroutinesApi::class)
private fun TestScope.recordStates(mutation: Mutation<*, *>): List<String> {
    val states = mutableListOf<String>()
    backgroundScope.launch(UnconfinedTestDispatcher(testScheduler), start = CoroutineStart.UNDISPATCHED) {
        mutation.state.collect {
            states +=
                "${it.status}/${it.variables}/paused=${it.isPaused}/${it.failureCount}/${it.context}"
        }
    }
    return states
}

class PausedMutationSpec : FunSpec({
    test(
        "offline in ONLINE mode a run applies onMutate at once, waits paused without calling the function, then runs on reconnect",
    ) {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = offlineClient(online)
            val calls = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, String, String>(
                    mutationFn = { v -> calls += "fn $v"; "saved $v" },
                    onMutate = { v -> calls += "onMutate $v"; "ctx" },
                ),
            )
            val states = recordStates(mutation)
            val result = async { mutation.mutate("a") }
            runCurrent()
            calls shouldBe listOf("onMutate a")
            client.mutations().single().state.isPaused shouldBe true
            client.isMutating() shouldBe 1
            settle(1.hours)
            calls shouldBe listOf("onMutate a")

            online.setOnline(true)
            runCurrent()
            result.await() shouldBe "saved a"
            calls shouldBe listOf("onMutate a", "fn a")
            states shouldBe listOf(
                "IDLE/null/paused=false/0/null",
                "PENDING/a/paused=true/0/null",
                "PENDING/a/paused=true/0/ctx", // onMutate returned: its context, still offline
                "PENDING/a/paused=false/0/ctx",
                "SUCCESS/a/paused=false/0/ctx",
            )
            client.close()
        }
    }

    test("paused runs continue on reconnect in their scope's order; another scope does not wait for them") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = offlineClient(online)
            val log = mutableListOf<String>()
            fun scoped(scope: String) = client.mutation(
                MutationOptions<String, String, Unit>(
                    mutationFn = { v ->
                        log += "start $v"
                        delay(100.milliseconds)
                        log += "end $v"
                        v
                    },
                    scope = scope,
                ),
            )
            val todo = scoped("todo")
            val other = scoped("other")
            val runs = listOf(async { todo.mutate("t1") }, async { todo.mutate("t2") }, async { other.mutate("o1") })
            runCurrent()
            log shouldBe emptyList()
            online.setOnline(true)
            settle()
            runs.map { it.await() } shouldBe listOf("t1", "t2", "o1")
            log shouldBe listOf("start t1", "start o1", "end t1", "end o1", "start t2", "end t2")
            client.close()
        }
    }

    test("ALWAYS runs offline; OFFLINE_FIRST runs its first attempt offline and pauses its retry") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = offlineClient(online)
            var attempts = 0
            val always = client.mutation(
                MutationOptions<String, String, Unit>({
                    "ok $it"
                }, networkMode = NetworkMode.ALWAYS),
            )
            val first = client.mutation(
                MutationOptions<String, String, Unit>(
                    mutationFn = { v -> if (++attempts == 1) throw IllegalStateException("offline") else "ok $v" },
                    retry = 2,
                    networkMode = NetworkMode.OFFLINE_FIRST,
                ),
            )
            val states = recordStates(first)
            always.mutate("a") shouldBe "ok a"
            val run = async { first.mutate("b") }
            settle(1.hours)
            attempts shouldBe 1
            online.setOnline(true)
            runCurrent()
            run.await() shouldBe "ok b"
            attempts shouldBe 2
            states shouldBe listOf(
                "IDLE/null/paused=false/0/null",
                "PENDING/b/paused=false/0/null",
                "PENDING/b/paused=false/1/null", // the failure, before the retry delay
                "PENDING/b/paused=true/1/null", // the delay is over, but offline
                "PENDING/b/paused=false/1/null",
                "SUCCESS/b/paused=false/1/null",
            )
            client.close()
        }
    }

    test("the mutation defaults' and the options' networkMode win over the client's") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = offlineClient(online)
            client.setMutationDefaults(
                queryKey("local"),
                MutationDefaults<String, String>(mutationFn = { "local $it" }, networkMode = NetworkMode.ALWAYS),
            )
            client.mutation<String, String>(queryKey("local", "note")).mutate("n") shouldBe "local n"
            client.close()
        }
    }

    test(
        "resumePausedMutations resumes the runs a manager that did not report its change lets run, and waits for them",
    ) {
        runTest {
            val network = SilentOnlineManager(online = false)
            val client = offlineClient(network)
            val mutation = client.mutation(
                MutationOptions<String, String, Unit>({ v ->
                    delay(100.milliseconds); "ok $v"
                }),
            )
            val run = async { mutation.mutate("x") }
            runCurrent()
            client.resumePausedMutations() // still offline: nothing to wait for
            run.isActive shouldBe true
            network.online = true // no listener told
            settle(1.hours)
            run.isActive shouldBe true
            val resumed = async { client.resumePausedMutations() }
            runCurrent()
            resumed.isCompleted shouldBe false // waits for the run it resumed
            settle()
            resumed.isCompleted shouldBe true
            run.await() shouldBe "ok x"
            client.close()
        }
    }

    test("resumePausedMutations also waits for a paused run still queued behind another in its scope") {
        runTest {
            val network = SilentOnlineManager(online = false)
            val client = offlineClient(network)
            val mutation = client.mutation(
                MutationOptions<String, String, Unit>(mutationFn = { v ->
                    delay(100.milliseconds); "ok $v"
                }, scope = "todo"),
            )
            val a = async { mutation.mutate("a") }
            val b = async { mutation.mutate("b") }
            runCurrent()
            client.mutations().map { it.state.isPaused } shouldBe listOf(true, true)
            network.online = true
            client.resumePausedMutations()
            // Both settled when it returned: b, shown paused from its submission, was waited for too.
            client.mutations().map { it.state.status } shouldBe listOf(MutationStatus.SUCCESS, MutationStatus.SUCCESS)
            listOf(a.await(), b.await()) shouldBe listOf("ok a", "ok b")
            client.close()
        }
    }

    test("a paused run is cancelled, not left paused, when the client closes") {
        runTest {
            val client = offlineClient(OnlineManager.manual(online = false))
            val mutation = client.mutation(MutationOptions<String, String, Unit>({ "ok $it" }))
            val run = async { runCatching { mutation.mutate("x") } }
            runCurrent()
            client.close()
            runCurrent()
            run.await().exceptionOrNull()!!::class shouldBe QueryClientClosedException::class
            mutation.state.value.isPaused shouldBe false
        }
    }
})

/** An online manager that never tells its listeners: only a re-read sees its changes. */
private class SilentOnlineManager(@Volatile var online: Boolean) : OnlineManager {
    override val isOnline: Boolean get() = online

    override fun addListener(listener: OnlineListener): Subscription = object : Subscription {
        override val isSubscribed: Boolean get() = true

        override fun unsubscribe() {}
    }
}
