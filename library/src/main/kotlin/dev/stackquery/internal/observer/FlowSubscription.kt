package dev.stackquery.internal.observer

import dev.stackquery.Subscription
import dev.stackquery.internal.client.ClientRuntime
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import java.util.concurrent.Executor

/**
 * A listener subscribed to [flow], a state flow whose collection keeps observers active (a
 * combined or dependent observer's): the flow is collected in the client's scope, starting on
 * the subscribing thread, for as long as the subscription lasts, and its values are delivered as
 * a [ListenerSubscription] does (the first on this thread when `firstHere`, otherwise everything
 * through the executor; in order, never concurrently, equal values skipped). The subscription
 * ends when the collection ends (the client closed) or is unsubscribed.
 */
internal class FlowSubscription<V> private constructor(
    private val flow: StateFlow<V>,
    runtime: ClientRuntime,
    what: String,
    listener: (V) -> Unit,
    executor: Executor,
) {
    private var version = 0L // written only by the collecting coroutine

    @Volatile
    private var latest: Published<V>? = null

    private lateinit var collection: Job

    private val subscription = ListenerSubscription(
        listener,
        executor,
        onFailure = { runtime.logFailure(what, it) },
        onUnsubscribe = { collection.cancel() },
    )

    init {
        collection = runtime.scope.launch(start = CoroutineStart.UNDISPATCHED) {
            try {
                flow.collect { value ->
                    val published = Published(value, ++version)
                    latest = published
                    subscription.offer(published)
                }
            } finally {
                subscription.end()
            }
        }
    }

    companion object {
        /** Subscribes [listener] to [flow] (see the class); [what] names it in logged failures. */
        fun <V> subscribe(
            flow: StateFlow<V>,
            runtime: ClientRuntime,
            what: String,
            listener: (V) -> Unit,
            executor: Executor,
            firstHere: Boolean,
        ): Subscription {
            val owner = FlowSubscription(flow, runtime, what, listener, executor)
            try {
                owner.subscription.start(firstHere) { owner.latest ?: Published(flow.value, 0) }
            } catch (e: Throwable) {
                owner.subscription.unsubscribe() // the first value failed: do not leave the queries active
                throw e
            }
            return owner.subscription
        }
    }
}
