package dev.stackquery

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.asCoroutineDispatcher
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executor

/**
 * A dispatcher whose tasks run only when [runPending] is called, so a model decides where a
 * client's background work runs. A task is what one thread of a real pool runs at a time.
 */
internal class QueuedDispatcher {
    private val tasks = ConcurrentLinkedQueue<Runnable>()
    val dispatcher: CoroutineDispatcher = Executor { tasks.add(it) }.asCoroutineDispatcher()

    /** Runs the queued tasks, and those they queue, until none is left, as an idle pool would. */
    fun runPending() {
        while (true) tasks.poll()?.run() ?: break
    }
}

/** The model checker's budget for the fetch and mutation models: two threads of three operations. */
internal fun modelCheckingOptions(): ModelCheckingOptions = ModelCheckingOptions()
    .iterations(12)
    .invocationsPerIteration(30)
    .threads(2)
    .actorsPerThread(3)
    .actorsBefore(3)
    .actorsAfter(2)
