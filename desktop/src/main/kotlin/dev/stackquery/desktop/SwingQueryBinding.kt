package dev.stackquery.desktop

import dev.stackquery.QueryListener
import dev.stackquery.QueryObserver
import dev.stackquery.Subscription
import dev.stackquery.desktop.internal.ComponentBinding
import java.awt.Component
import java.awt.EventQueue
import java.util.concurrent.Executor

/**
 * Binds query observers to Swing (or AWT) components: the observer stays subscribed, its states
 * delivered on the event dispatch thread, for as long as the component is displayable, that is
 * part of a window that has been packed or shown and not disposed.
 *
 * ```kotlin
 * val label = JLabel()
 * SwingQueryBinding.bind(label, client.watch(userOptions)) { state ->
 *     label.text = if (state.isSuccess) state.data?.name else "…"
 * }
 * frame.add(label)   // subscribes when the frame is packed or shown
 * frame.dispose()    // unsubscribes: the query is no longer active, its gc timer starts
 * ```
 * From Java: `Subscription sub = SwingQueryBinding.bind(label, observer, state -> …);`
 */
public object SwingQueryBinding {
    /**
     * Delivers to a listener on the event dispatch thread (`EventQueue.invokeLater`): the executor
     * [bind] uses, for an observer subscribed by hand (`observer.subscribe(listener, EDT)`).
     */
    @JvmField
    public val EDT: Executor = Executor { EventQueue.invokeLater(it) }

    /**
     * Keeps [observer] subscribed with [listener] while [component] is displayable.
     *
     * - When the component is (or becomes) displayable, [listener] is subscribed through [EDT]:
     *   it receives the observer's current state, then every distinct change, on the event
     *   dispatch thread only, in order. The query is active meanwhile (fetched on subscribe as
     *   its options say, polled, safe from gc).
     * - When the component stops being displayable (its window is disposed, or it is removed
     *   from a displayable parent), the listener is unsubscribed: the query is inactive again,
     *   and no state reaches the listener after that. A window closed with `HIDE_ON_CLOSE` (the
     *   `JFrame` default) is only hidden and stays displayable; use `DISPOSE_ON_CLOSE`.
     * - When it becomes displayable again (added back, shown again after `dispose`), the listener
     *   is subscribed again and receives the state of that moment first.
     *
     * The returned subscription ends the binding: it unsubscribes the listener if subscribed and
     * stops watching the component. Its [Subscription.isSubscribed] is true until then, whether
     * or not the component is displayable at the moment. Nothing else holds the binding: the
     * component's listener list does, so an undisplayable component and its binding are garbage
     * together.
     *
     * Any thread may call it; the component's displayability is read at once and then followed
     * through its `HierarchyListener` (`DISPLAYABILITY_CHANGED`), on the event dispatch thread.
     */
    @JvmStatic
    public fun <T> bind(component: Component, observer: QueryObserver<T>, listener: QueryListener<T>): Subscription =
        ComponentBinding(component, observer, listener, EDT).also { it.start() }
}
