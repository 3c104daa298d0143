package dev.stackquery.desktop

import dev.stackquery.desktop.internal.ActiveWindowSource
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.util.ArrayDeque
import java.util.concurrent.Executor

/** The AWT's active window, set by hand; [change] is what the AWT fires on the event dispatch thread. */
private class FakeWindows(var active: Boolean) : ActiveWindowSource {
    private var onChange: (() -> Unit)? = null
    var watching = false
        private set

    override val hasActiveWindow: Boolean get() = active

    override fun watch(onChange: () -> Unit): () -> Unit {
        this.onChange = onChange
        watching = true
        return { watching = false }
    }

    fun change(active: Boolean) {
        this.active = active
        if (watching) onChange!!()
    }
}

/** The event queue, turned by hand: [turn] runs the tasks queued before it, not those they queue. */
private class FakeEventQueue : Executor {
    private val tasks = ArrayDeque<Runnable>()
    val size: Int get() = tasks.size

    override fun execute(command: Runnable) {
        tasks.add(command)
    }

    fun turn() = repeat(tasks.size) { tasks.poll().run() }

    fun drain() {
        while (tasks.isNotEmpty()) tasks.poll().run()
    }
}

private class Fixture(active: Boolean) {
    val windows = FakeWindows(active)
    val queue = FakeEventQueue()
    val manager = AwtFocusManager(windows, queue)
    val seen = mutableListOf<Boolean>()

    init {
        queue.drain() // the check queued at creation
        manager.addListener { seen += it }
    }
}

/**
 * AwtFocusManager's decisions, on a fake AWT and a hand-turned event queue: focus gained at once,
 * lost only when no window is active on two turns in a row, so moving between the application's
 * own windows (deactivate, then activate) is never reported.
 */
class AwtFocusManagerSpec : FunSpec({
    test("it starts focused when a window is active, unfocused when none is") {
        Fixture(active = true).manager.isFocused shouldBe true
        Fixture(active = false).manager.isFocused shouldBe false
    }

    test("moving the focus from one of the app's windows to another reports nothing") {
        val f = Fixture(active = true)
        f.windows.change(active = false) // the old window is deactivated…
        f.windows.change(active = true) // …and the new one activated, both before the queue turns
        f.queue.drain()
        f.seen shouldBe emptyList()
        f.manager.isFocused shouldBe true
    }

    test("the next window activated one turn after the deactivation is still not a loss of focus") {
        val f = Fixture(active = true)
        f.windows.change(active = false)
        f.queue.turn() // the first look finds no window: it looks again on the next turn
        f.windows.change(active = true)
        f.queue.drain()
        f.seen shouldBe emptyList()
    }

    test("a real loss of focus is reported after two turns of the event queue, and a gain after one") {
        val f = Fixture(active = true)
        f.windows.change(active = false)
        f.queue.turn()
        f.seen shouldBe emptyList()
        f.queue.turn()
        f.seen shouldBe listOf(false)
        f.manager.isFocused shouldBe false

        f.windows.change(active = true)
        f.queue.turn()
        f.seen shouldBe listOf(false, true)
        f.queue.size shouldBe 0
    }

    test("many changes before the queue turns make one decision") {
        val f = Fixture(active = true)
        repeat(5) {
            f.windows.change(active = false)
            f.windows.change(active = true)
        }
        f.windows.change(active = false)
        f.queue.size shouldBe 1
        f.queue.drain()
        f.seen shouldBe listOf(false)
    }

    test("a window activated between the creation and the watch is seen by the first decision") {
        val windows = FakeWindows(active = false)
        val queue = FakeEventQueue()
        val manager = AwtFocusManager(windows, queue)
        manager.isFocused shouldBe false
        windows.active = true // no change event: it happened before the watch began
        queue.drain()
        manager.isFocused shouldBe true
    }

    test("a listener that throws does not keep the others from being told") {
        val f = Fixture(active = false)
        f.manager.addListener { throw IllegalStateException("listener failed") }
        val after = mutableListOf<Boolean>()
        f.manager.addListener { after += it }
        f.windows.change(active = true)
        f.queue.drain()
        f.seen shouldBe listOf(true)
        after shouldBe listOf(true)
    }

    test("a removed listener is told nothing more") {
        val f = Fixture(active = true)
        val told = mutableListOf<Boolean>()
        val subscription = f.manager.addListener { told += it }
        subscription.unsubscribe()
        f.windows.change(active = false)
        f.queue.drain()
        told shouldBe emptyList()
        f.seen shouldBe listOf(false)
    }

    test("close stops watching the windows, even with a decision already queued, and keeps the last value") {
        val f = Fixture(active = true)
        f.windows.change(active = false)
        f.manager.close()
        f.manager.close()
        f.windows.watching shouldBe false
        f.queue.drain()
        f.seen shouldBe emptyList()
        f.manager.isFocused shouldBe true
        f.manager.toString() shouldContain "focused=true"
    }
})
