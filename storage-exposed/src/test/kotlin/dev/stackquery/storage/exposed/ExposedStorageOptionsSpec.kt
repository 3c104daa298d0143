package dev.stackquery.storage.exposed

import dev.stackquery.QueryClock
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import java.util.concurrent.Executors

class ExposedStorageOptionsSpec : FunSpec({
    test("the defaults are the stackquery_cache table, the system clock, throwing errors and Dispatchers.IO") {
        val options = ExposedStorageOptions()
        options.tableName shouldBe "stackquery_cache"
        options.clock shouldBeSameInstanceAs QueryClock.SYSTEM
        options.silent shouldBe false
        options.coroutineContext shouldBe Dispatchers.IO
        ExposedStorageOptions.DEFAULT.tableName shouldBe "stackquery_cache"
    }

    test("plain SQL identifiers up to 48 characters are valid table names") {
        for (name in listOf("a", "_", "_cache", "Query_Cache_2", "t".repeat(48))) {
            ExposedStorageOptions(tableName = name).tableName shouldBe name
            ExposedStorageOptions.builder().tableName(name).build().tableName shouldBe name
        }
    }

    test("anything else is rejected as a table name, naming the field and the value") {
        val invalid = listOf(
            "", "1cache", "cache-1", "cache 1", "cache;DROP TABLE users", "\"cache\"", "`cache`", "cache.x",
            "schema.cache", "caché", "t".repeat(49), "cache\n", "x'--",
        )
        for (name in invalid) {
            val message = "tableName must be an SQL identifier (an ASCII letter or '_', then letters, digits or '_', " +
                "at most 48 characters), was \"$name\""
            shouldThrow<IllegalArgumentException> { ExposedStorageOptions(tableName = name) }.message shouldBe message
            shouldThrow<IllegalArgumentException> { ExposedStorageOptions.builder().tableName(name) }.message shouldBe
                message
        }
    }

    test("an unconfined dispatcher is rejected: JDBC would run on the caller's thread") {
        shouldThrow<IllegalArgumentException> { ExposedStorageOptions(coroutineContext = Dispatchers.Unconfined) }
            .message shouldBe "coroutineContext must have a dispatching dispatcher, was Dispatchers.Unconfined: " +
            "an unconfined one would run blocking JDBC calls on the caller's thread"
    }

    test("the builder sets every field, and toBuilder copies them") {
        val clock = QueryClock { 42 }
        val executor = Executors.newSingleThreadExecutor()
        try {
            val options = ExposedStorageOptions.builder().tableName(
                "t1",
            ).clock(clock).silent(true).executor(executor).build()
            options.tableName shouldBe "t1"
            options.clock shouldBeSameInstanceAs clock
            options.silent shouldBe true
            options.coroutineContext shouldBe executor.asCoroutineDispatcher()
            val copy = options.toBuilder().tableName("t2").build()
            copy.tableName shouldBe "t2"
            copy.clock shouldBeSameInstanceAs clock
            copy.silent shouldBe true
            copy.coroutineContext shouldBeSameInstanceAs options.coroutineContext
        } finally {
            executor.shutdown()
        }
    }
})
