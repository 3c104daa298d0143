package dev.stackquery.internal.client

import dev.stackquery.Subscription
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.launch
import java.util.concurrent.Executor
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Hands every value of [flow] to [deliver]: one coroutine in the client's scope collects it, on
 * [executor] (the client's dispatcher when `null`), so calls are in order and never overlap. By
 * default it is collecting when this returns (started on the calling thread, where a `StateFlow`'s
 * current value is delivered); with [start] `DEFAULT` every value, the first included, goes
 * through the executor. It ends when unsubscribed or when the client closes. What [deliver] throws is logged as a failure of [what], except a
 * `VirtualMachineError`.
 */
internal fun <E> ClientRuntime.listen(
    flow: Flow<E>,
    executor: Executor?,
    what: String,
    deliver: (E) -> Unit,
    start: CoroutineStart = CoroutineStart.UNDISPATCHED,
): Subscription {
    val context = executor?.asCoroutineDispatcher() ?: EmptyCoroutineContext
    val job = scope.launch(context, start = start) {
        flow.collect { value ->
            try {
                deliver(value)
            } catch (e: Throwable) {
                if (e is VirtualMachineError) throw e
                logFailure(what, e)
            }
        }
    }
    return object : Subscription {
        override val isSubscribed: Boolean get() = job.isActive

        override fun unsubscribe() {
            job.cancel()
        }
    }
}
