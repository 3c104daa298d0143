package dev.stackquery.desktop

import dev.stackquery.desktop.TestDisplay.eventually
import dev.stackquery.desktop.TestDisplay.onEdt
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.awt.KeyboardFocusManager
import java.awt.Window
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import javax.swing.JFrame
import javax.swing.WindowConstants

private val focusManager: KeyboardFocusManager get() = KeyboardFocusManager.getCurrentKeyboardFocusManager()

private fun frame(title: String, x: Int): JFrame = onEdt {
    JFrame(title).apply {
        name = title
        defaultCloseOperation = WindowConstants.DISPOSE_ON_CLOSE
        setBounds(x, 40, 260, 180)
    }
}

/** Brings [window] to the front and asks for the focus; waits until the AWT says it is active. */
private fun activate(window: Window) {
    onEdt {
        window.isVisible = true
        window.toFront()
        window.requestFocus()
    }
    eventually("${window.name} to be the active window", state = ::active) { focusManager.activeWindow === window }
}

private fun active(): String = "active window: ${focusManager.activeWindow?.name}"

/** Two turns of the event queue: every decision queued by the changes so far has been taken. */
private fun settle() = repeat(2) { onEdt {} }

/**
 * Runs `xmessage` (a window of another process), waits for its window and gives it the focus with
 * `xdotool` (`windowactivate` through the window manager, or `windowfocus` where there is none).
 */
private class OtherProcessWindow : AutoCloseable {
    private val name = "stackquery-other-${ProcessHandle.current().pid()}"
    private val process: Process = ProcessBuilder("xmessage", "-name", name, "another application")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()

    fun focus() {
        val id = xdotool("search", "--sync", "--classname", name).lineSequence().first().trim()
        if (runCatching { xdotool("windowactivate", "--sync", id) }.isFailure) xdotool("windowfocus", "--sync", id)
    }

    private fun xdotool(vararg args: String): String {
        val process = ProcessBuilder("xdotool", *args).redirectErrorStream(true).start()
        check(process.waitFor(10, TimeUnit.SECONDS)) { "xdotool ${args.toList()} did not finish" }
        val output = process.inputStream.bufferedReader().readText()
        check(process.exitValue() == 0) { "xdotool ${args.toList()} failed: $output" }
        return output
    }

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }
}

/**
 * AwtFocusManager on real windows under an X server (Xvfb and openbox in CI): moving between the
 * app's two frames keeps it focused; another process's window taking the focus makes it
 * unfocused; coming back focuses it; disposing every window unfocuses it. The exact sequence of
 * changes is asserted after each step.
 */
class AwtFocusManagerWindowSpec : FunSpec({
    test("switching between the app's own windows stays focused; another app's window or none is unfocused")
        .config(enabledOrReasonIf = { TestDisplay.windowsAndTools() }) {
            TestDisplay.requireWindows()
            TestDisplay.requireTools()
            val first = frame("stackquery-first", 40)
            val second = frame("stackquery-second", 340)
            val manager = AwtFocusManager.create()
            val seen = CopyOnWriteArrayList<Boolean>()
            manager.addListener { seen += it }
            try {
                activate(first)
                eventually("focused", state = ::active) { manager.isFocused }
                val focusedOnce = if (seen.isEmpty()) emptyList() else listOf(true) // focused already at create()
                seen shouldBe focusedOnce

                repeat(2) {
                    activate(second)
                    activate(first)
                }
                settle()
                seen shouldBe focusedOnce

                OtherProcessWindow().use { other ->
                    other.focus()
                    eventually("unfocused by another process's window", state = ::active) { !manager.isFocused }
                    seen shouldBe focusedOnce + false

                    activate(second)
                    eventually("focused again", state = ::active) { manager.isFocused }
                    settle()
                    seen shouldBe focusedOnce + listOf(false, true)
                }

                onEdt {
                    first.dispose()
                    second.dispose()
                }
                eventually("unfocused once every window is disposed", state = ::active) { !manager.isFocused }
                settle()
                seen shouldBe focusedOnce + listOf(false, true, false)
            } finally {
                manager.close()
                onEdt {
                    first.dispose()
                    second.dispose()
                }
            }
        }
})
