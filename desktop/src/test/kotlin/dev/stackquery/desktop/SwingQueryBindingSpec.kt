package dev.stackquery.desktop

import dev.stackquery.QueryClient
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.desktop.TestDisplay.eventually
import dev.stackquery.desktop.TestDisplay.onEdt
import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.util.concurrent.CopyOnWriteArrayList
import javax.swing.JFrame
import javax.swing.JLabel
import javax.swing.JPanel
import javax.swing.SwingUtilities

private val KEY = queryKey("greeting")

/** What a listener received: each state's data, and whether it ran on the event dispatch thread. */
private class Received {
    val data = CopyOnWriteArrayList<String?>()
    val offEdt = CopyOnWriteArrayList<String?>()

    fun onState(state: QueryState<String>) {
        data += state.data
        if (!SwingUtilities.isEventDispatchThread()) offEdt += state.data
    }
}

private fun QueryClient.isActive(): Boolean = queries(KEY).single().isActive

private suspend fun withBinding(
    block: suspend (QueryClient, JFrame, JLabel, Received, dev.stackquery.Subscription) -> Unit,
) {
    TestDisplay.requireWindows()
    val client = QueryClient()
    val frame = onEdt { JFrame("binding") }
    try {
        client.setQueryData(KEY, "hello")
        val observer = client.watch(QueryOptions(KEY, queryFn = { "fetched" }, enabled = false))
        val label = onEdt { JLabel() }
        val received = Received()
        val binding = SwingQueryBinding.bind(label, observer, received::onState)
        block(client, frame, label, received, binding)
    } finally {
        onEdt { frame.dispose() }
        client.close()
    }
}

/** Waits until the states queued for the event dispatch thread have been delivered. */
private fun delivered() = repeat(2) { onEdt {} }

/**
 * SwingQueryBinding on real components under an X server: subscribed, on the event dispatch
 * thread, exactly while the component is displayable; the query inactive otherwise.
 */
class SwingQueryBindingSpec : FunSpec({
    test("a component bound before it is displayable subscribes when its window is packed, on the EDT")
        .config(enabledOrReasonIf = { TestDisplay.windows() }) {
            withBinding { client, frame, label, received, binding ->
                client.isActive() shouldBe false
                received.data shouldBe emptyList()
                onEdt {
                    frame.add(label)
                    frame.pack()
                }
                eventually("the first state") { received.data.isNotEmpty() }
                client.isActive() shouldBe true
                client.setQueryData(KEY, "changed")
                eventually("the change") { received.data.size == 2 }
                received.data shouldBe listOf("hello", "changed")
                received.offEdt shouldBe emptyList()
                binding.isSubscribed shouldBe true
            }
        }

    test("disposing the window unsubscribes: the query is inactive and no state arrives after")
        .config(enabledOrReasonIf = { TestDisplay.windows() }) {
            withBinding { client, frame, label, received, binding ->
                onEdt {
                    frame.add(label)
                    frame.isVisible = true
                }
                eventually("the first state") { received.data.isNotEmpty() }
                onEdt { frame.dispose() }
                client.isActive() shouldBe false
                client.setQueryData(KEY, "after dispose")
                delivered()
                received.data shouldBe listOf("hello")
                binding.isSubscribed shouldBe true // the binding lives on: showing the window again resubscribes
                onEdt { frame.pack() }
                eventually("the state after the window came back") { received.data.size == 2 }
                received.data shouldBe listOf("hello", "after dispose")
            }
        }

    test("removing the component from its window unsubscribes and adding it back subscribes again")
        .config(enabledOrReasonIf = { TestDisplay.windows() }) {
            withBinding { client, frame, label, received, _ ->
                val panel = onEdt { JPanel().also { frame.add(it); it.add(label); frame.pack() } }
                eventually("the first state") { received.data.isNotEmpty() }
                onEdt { panel.remove(label) }
                client.isActive() shouldBe false
                client.setQueryData(KEY, "while removed")
                delivered()
                received.data shouldBe listOf("hello")
                onEdt { panel.add(label) }
                eventually("the state when added back") { received.data.size == 2 }
                received.data shouldBe listOf("hello", "while removed")
                client.isActive() shouldBe true
            }
        }

    test("ending the binding unsubscribes for good, whatever the component does next")
        .config(enabledOrReasonIf = { TestDisplay.windows() }) {
            withBinding { client, frame, label, received, binding ->
                onEdt {
                    frame.add(label)
                    frame.pack()
                }
                eventually("the first state") { received.data.isNotEmpty() }
                binding.unsubscribe()
                binding.unsubscribe()
                binding.isSubscribed shouldBe false
                client.isActive() shouldBe false
                onEdt {
                    frame.dispose()
                    frame.pack()
                }
                client.setQueryData(KEY, "ended")
                delivered()
                received.data shouldBe listOf("hello")
                client.isActive() shouldBe false
            }
        }
})
