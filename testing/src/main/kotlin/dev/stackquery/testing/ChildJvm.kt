package dev.stackquery.testing

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * A second JVM running [mainClass] with [args] on this JVM's class path (under Surefire, its
 * booter jar, whose manifest lists the test class path): for fleet tests where two processes
 * share a storage or a sync transport. The child runs with a small heap, the C1 compiler only and
 * SLF4J's simple logger at `warn`. Its standard output is read line by line
 * into a queue ([nextLine]); its standard error goes to a temporary file that failure messages
 * quote. [close] destroys the process if it is still running: call it in a `finally` (or `use`).
 */
public class ChildJvm(mainClass: String, vararg args: String) : AutoCloseable {
    private val stderr: File = File.createTempFile("stackquery-child-", ".err")
    private val lines = LinkedBlockingQueue<String>()
    private val process: Process = ProcessBuilder(
        listOf(
            File(System.getProperty("java.home"), "bin/java").path,
            "-cp",
            System.getProperty("java.class.path"),
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx128m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            mainClass,
        ) + args,
    ).redirectError(stderr).start()

    init {
        thread(isDaemon = true, name = "ChildJvm-stdout") {
            process.inputStream.bufferedReader().useLines { output -> output.forEach(lines::add) }
        }
    }

    /** The next line the child prints, waiting at most [within]. */
    public suspend fun nextLine(within: Duration = 60.seconds): String = withContext(Dispatchers.IO) {
        lines.poll(within.inWholeMilliseconds, TimeUnit.MILLISECONDS)
            ?: throw AssertionError("the child printed nothing within $within${diagnostics()}")
    }

    /** The child's exit status, waiting at most [within] for it to exit. */
    public suspend fun exitStatus(within: Duration = 30.seconds): Int = withContext(Dispatchers.IO) {
        if (!process.waitFor(within.inWholeMilliseconds, TimeUnit.MILLISECONDS)) {
            throw AssertionError("the child did not exit within $within${diagnostics()}")
        }
        process.exitValue()
    }

    /** What the child printed on standard error, for a failure message. */
    public fun diagnostics(): String {
        val text = stderr.readText().trim()
        return if (text.isEmpty()) "" else "; its standard error:\n$text"
    }

    /** Destroys the process if it is still running (waiting up to 10 s) and deletes the standard-error file. */
    override fun close() {
        if (process.isAlive) {
            process.destroyForcibly()
            process.waitFor(10, TimeUnit.SECONDS)
        }
        stderr.delete()
    }
}
