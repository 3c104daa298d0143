package dev.stackquery.desktop

import io.kotest.core.test.Enabled
import java.awt.EventQueue
import java.awt.GraphicsEnvironment
import java.awt.Toolkit
import java.io.File

/**
 * The X display the real-window tests need. Without one (no `DISPLAY`, or nothing answers on it)
 * they are skipped with a message saying how to get one, unless `STACKQUERY_REQUIRE_SERVICES=true`
 * (CI sets it, after `.ci/install-display` started Xvfb and a window manager): then they fail.
 * The focus test also needs `xmessage` (a window of another process) and `xdotool` (to focus it).
 */
object TestDisplay {
    private val required: Boolean = System.getenv("STACKQUERY_REQUIRE_SERVICES") == "true"
    private const val HOW =
        "run the tests under an X server: `xvfb-run -a mvn -B verify`, or `bash .ci/install-display` " +
            "then `export DISPLAY=:99` (apt-get install xvfb openbox xdotool x11-utils)"

    /** Why there is no usable display, or null when there is one. */
    private val missingDisplay: String? by lazy {
        when {
            System.getenv("DISPLAY").isNullOrEmpty() -> "no X display (DISPLAY is not set)"
            GraphicsEnvironment.isHeadless() -> "the JVM is headless (java.awt.headless=true)"
            else -> try {
                Toolkit.getDefaultToolkit().screenSize
                null
            } catch (e: Throwable) {
                "no X server answers on DISPLAY=${System.getenv("DISPLAY")} ($e)"
            }
        }
    }

    private val missingTools: String?
        get() = listOf("xmessage", "xdotool").filter { tool ->
            System.getenv("PATH").orEmpty().split(File.pathSeparator).none { File(it, tool).canExecute() }
        }.takeIf { it.isNotEmpty() }?.joinToString(" and ", postfix = " not installed")

    /** True when windows can be shown here (or they are required: the test then fails with the reason). */
    @JvmStatic
    fun windowsAvailable(): Boolean = missingDisplay == null || required

    /** For a spec's `enabledOrReasonIf`: enabled when windows can be shown, or when they are required. */
    fun windows(): Enabled = enabledUnless(missingDisplay)

    /** Like [windows], also needing the tools that focus another process's window. */
    fun windowsAndTools(): Enabled = enabledUnless(missingDisplay ?: missingTools)

    /** The reason a Java test is skipped, for its assumption; null when it can run. */
    @JvmStatic
    fun skipReason(): String? = if (windowsAvailable()) null else skipped(missingDisplay!!)

    /** Fails with the reason when windows cannot be shown (the test was required to run). */
    @JvmStatic
    fun requireWindows() {
        val missing = missingDisplay ?: return
        throw AssertionError("$missing (STACKQUERY_REQUIRE_SERVICES=true: a display is required; $HOW)")
    }

    /** Fails with the reason when the focus tools are missing. */
    fun requireTools() {
        val missing = missingTools ?: return
        throw AssertionError("$missing (STACKQUERY_REQUIRE_SERVICES=true: they are required; $HOW)")
    }

    private fun enabledUnless(missing: String?): Enabled = when {
        missing == null || required -> Enabled.enabled
        else -> Enabled.disabled(skipped(missing)).also { System.err.println("SKIPPED: ${skipped(missing)}") }
    }

    private fun skipped(missing: String) = "$missing: the real-window test is skipped; $HOW"

    /** Runs [block] on the event dispatch thread and returns its result. */
    fun <T> onEdt(block: () -> T): T {
        var result: Result<T>? = null
        EventQueue.invokeAndWait { result = runCatching(block) }
        return result!!.getOrThrow()
    }

    /**
     * Waits (bounded: [timeoutMillis]) until [condition], read on the event dispatch thread, holds:
     * the real windows and the X server take their time. Fails with [what] and [state] otherwise.
     */
    fun eventually(what: String, timeoutMillis: Long = 10_000, state: () -> Any? = { null }, condition: () -> Boolean) {
        val deadline = System.nanoTime() + timeoutMillis * 1_000_000
        while (!onEdt(condition)) {
            if (System.nanoTime() > deadline) throw AssertionError("timed out waiting for $what (${onEdt(state)})")
            Thread.sleep(POLL_MILLIS)
        }
    }

    private const val POLL_MILLIS = 20L
}
