package dev.stackquery.desktop.internal

import dev.stackquery.QueryListener
import dev.stackquery.QueryObserver
import dev.stackquery.Subscription
import java.awt.Component
import java.awt.event.HierarchyEvent
import java.awt.event.HierarchyListener
import java.util.concurrent.Executor

/**
 * [dev.stackquery.desktop.SwingQueryBinding.bind]: [listener] subscribed to [observer] through
 * [executor] exactly while [component] is displayable and the binding has not ended. [sync]
 * compares the two and subscribes or unsubscribes, under this object's lock, so a change racing
 * [start] (which reads the component after registering for its changes) is never missed.
 */
internal class ComponentBinding<T>(
    private val component: Component,
    private val observer: QueryObserver<T>,
    private val listener: QueryListener<T>,
    private val executor: Executor,
) : Subscription, HierarchyListener {
    private var bound = true // guarded by this
    private var subscription: Subscription? = null // guarded by this; non-null while subscribed

    override val isSubscribed: Boolean get() = synchronized(this) { bound }

    fun start() {
        component.addHierarchyListener(this)
        sync()
    }

    override fun hierarchyChanged(event: HierarchyEvent) {
        if (event.changeFlags and HierarchyEvent.DISPLAYABILITY_CHANGED.toLong() != 0L) sync()
    }

    override fun unsubscribe() {
        synchronized(this) {
            if (!bound) return
            bound = false
        }
        component.removeHierarchyListener(this)
        sync()
    }

    private fun sync() = synchronized(this) {
        val wanted = bound && component.isDisplayable
        val current = subscription
        if (wanted && current == null) {
            subscription = observer.subscribe(listener, executor)
        } else if (!wanted && current != null) {
            subscription = null
            current.unsubscribe()
        }
    }

    override fun toString(): String =
        "SwingQueryBinding(${component.javaClass.simpleName}, bound=$isSubscribed, subscribed=${subscription != null})"
}
