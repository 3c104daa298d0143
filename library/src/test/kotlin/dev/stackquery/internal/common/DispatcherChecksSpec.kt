@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.common

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import java.util.concurrent.Executors
import kotlin.coroutines.EmptyCoroutineContext

class DispatcherChecksSpec : FunSpec({
    test("requireDispatching accepts dispatching dispatchers and a context without one") {
        val executor = Executors.newSingleThreadExecutor()
        try {
            for (context in listOf(
                Dispatchers.Default,
                Dispatchers.IO,
                StandardTestDispatcher(),
                executor.asCoroutineDispatcher(),
                CoroutineName("no dispatcher"),
                EmptyCoroutineContext,
            )) {
                requireDispatching(context, "coroutineContext", "x") shouldBe context
            }
        } finally {
            executor.shutdown()
        }
    }

    test("requireDispatching rejects unconfined dispatchers, naming the field and the consequence") {
        for (context in listOf(Dispatchers.Unconfined, UnconfinedTestDispatcher() + CoroutineName("n"))) {
            val message = shouldThrow<IllegalArgumentException> {
                requireDispatching(context, "ioContext", "block the caller")
            }.message!!
            message shouldStartWith "ioContext must have a dispatching dispatcher, was "
            message.endsWith(": an unconfined one would block the caller") shouldBe true
        }
    }
})
