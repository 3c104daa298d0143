package dev.stackquery.internal.mutation

import dev.stackquery.MutationEventListener
import dev.stackquery.Subscription
import dev.stackquery.internal.client.ClientRuntime
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.launch
import java.util.concurrent.Executor
import kotlin.coroutines.EmptyCoroutineContext

/**
 * Subscribes [listener] to the client's mutation events: one coroutine in the client's scope
 * collects them, on [executor] (the client's dispatcher when `null`), so calls are in order and
 * never overlap. It is collecting when this returns; it ends when unsubscribed or when the client
 * closes. What the listener throws is logged.
 */
internal fun subscribeMutationEvents(
    runtime: ClientRuntime,
    listener: MutationEventListener,
    executor: Executor?,
): Subscription {
    val context = executor?.asCoroutineDispatcher() ?: EmptyCoroutineContext
    val job = runtime.scope.launch(context, start = CoroutineStart.UNDISPATCHED) {
        runtime.mutationEvents.events.collect { event ->
            try {
                listener.onEvent(event)
            } catch (e: Throwable) {
                if (e is VirtualMachineError) throw e
                runtime.logFailure("a mutation event listener", e)
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
