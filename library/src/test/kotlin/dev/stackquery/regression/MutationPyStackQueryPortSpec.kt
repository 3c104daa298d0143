package dev.stackquery.regression

import dev.stackquery.MutationOptions
import dev.stackquery.MutationStatus
import dev.stackquery.RetryPolicy
import dev.stackquery.original
import dev.stackquery.testClient
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds

/**
 * The intent of PyStackQuery's mutation tests (reference §14, tests 10–12), on virtual time, with
 * the context that PyStackQuery discards (reference §16.19) passed through as TanStack does.
 */
class MutationPyStackQueryPortSpec : FunSpec({
    test("test_mutation_success: mutate returns the function's result and onSuccess gets (data, variables, context)") {
        runTest {
            val client = testClient()
            val seen = mutableListOf<Triple<Int, Map<String, Int>, Any?>>()
            val mutation = client.mutation(
                MutationOptions<Int, Map<String, Int>, Unit>(
                    mutationFn = { input -> input.getValue("val") * 2 },
                    onSuccess = { data, variables, context -> seen += Triple(data, variables, context) },
                ),
            )
            mutation.mutate(mapOf("val" to 2)) shouldBe 4
            seen shouldBe listOf(Triple(4, mapOf("val" to 2), null)) // no onMutate: no context
            mutation.state.value.status shouldBe MutationStatus.SUCCESS
            mutation.state.value.data shouldBe 4
            mutation.state.value.variables shouldBe mapOf("val" to 2)
            client.close()
        }
    }

    test("test_mutation_optimistic: onMutate runs with the variables before the mutation function") {
        runTest {
            val client = testClient()
            val order = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, String, Unit>(
                    mutationFn = { input -> order += "mutationFn($input)"; "done" },
                    onMutate = { input -> order += "onMutate($input)" },
                ),
            )
            mutation.mutate("test") shouldBe "done"
            order shouldBe listOf("onMutate(test)", "mutationFn(test)")
            client.close()
        }
    }

    test("test_mutation_optimistic: the value onMutate returns is the context given to onSuccess and onSettled") {
        runTest {
            val client = testClient()
            val contexts = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, String, String>(
                    mutationFn = { "done" },
                    onMutate = { input -> "ctx-$input" },
                    onSuccess = { _, _, context -> contexts += "onSuccess:$context" },
                    onSettled = { _, _, _, context -> contexts += "onSettled:$context" },
                ),
            )
            mutation.mutate("test") shouldBe "done"
            contexts shouldBe listOf("onSuccess:ctx-test", "onSettled:ctx-test")
            client.close()
        }
    }

    test("test_mutation_optimistic: on failure the onMutate context reaches onError and onSettled (for a rollback)") {
        runTest {
            val client = testClient()
            val boom = IllegalStateException("boom")
            val contexts = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, String, String>(
                    mutationFn = { throw boom },
                    onMutate = { input -> "ctx-$input" },
                    onError = { e, _, context -> contexts += "onError:${e.message}:$context" },
                    onSettled = { data, e, _, context -> contexts += "onSettled:$data:${e?.message}:$context" },
                ),
            )
            io.kotest.assertions.throwables.shouldThrow<IllegalStateException> {
                mutation.mutate("test")
            }.original() shouldBe
                boom
            contexts shouldBe listOf("onError:boom:ctx-test", "onSettled:null:boom:ctx-test")
            mutation.state.value.status shouldBe MutationStatus.ERROR
            client.close()
        }
    }

    test("test_mutation_retry: retry=3 with a fixed 10 ms wait, failing twice, succeeds after 3 attempts") {
        runTest {
            val client = testClient()
            var attempts = 0
            val mutation = client.mutation(
                MutationOptions<String, Unit, Unit>(
                    mutationFn = {
                        attempts++
                        if (attempts < 3) throw IllegalStateException("attempt $attempts failed")
                        "success"
                    },
                    retry = 3,
                    retryPolicy = RetryPolicy.fixed(10.milliseconds),
                ),
            )
            mutation.mutate(Unit) shouldBe "success"
            attempts shouldBe 3
            currentTime shouldBe 20 // two 10 ms waits
            val state = mutation.state.value
            state.status shouldBe MutationStatus.SUCCESS
            state.data shouldBe "success"
            state.failureCount shouldBe 2
            state.error shouldBe null
            client.close()
        }
    }
})
