package dev.stackquery

import dev.stackquery.storage.CodecException
import dev.stackquery.storage.QueryCodec
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.Serializable
import kotlinx.serialization.builtins.ListSerializer
import kotlinx.serialization.builtins.serializer

@Serializable
private data class JsonProfile(val id: Long, val name: String)

class QueryDataJsonSpec : FunSpec({
    test("getQueryDataJson encodes the cached data with the codec of the query's options") {
        runTest {
            val client = testClient()
            val key = queryKey("profile", 1)
            client.fetchQuery(
                QueryOptions(key, queryFn = {
                    JsonProfile(1, "ada")
                }, codec = QueryCodec.kotlinx(JsonProfile.serializer())),
            )
            client.getQueryDataJson(key) shouldBe """{"id":1,"name":"ada"}"""
            client.queries(key).single().isPersisted shouldBe true
        }
    }

    test("getQueryDataJson is null without a query, without a codec, or without data") {
        runTest {
            val client = testClient()
            client.getQueryDataJson(queryKey("missing")) shouldBe null
            client.fetchQuery(QueryOptions(queryKey("plain"), queryFn = { "no codec" }))
            client.getQueryDataJson(queryKey("plain")) shouldBe null
            client.setQueryData(queryKey("set"), "written")
            client.getQueryDataJson(queryKey("set")) shouldBe null
            val codec = QueryCodec.kotlinx(ListSerializer(String.serializer()))
            val failing =
                QueryOptions<List<String>>(queryKey("failing"), queryFn = { error("down") }, retry = 0, codec = codec)
            runCatching { client.fetchQuery(failing) }
            client.getQueryDataJson(queryKey("failing")) shouldBe null
        }
    }

    test("getQueryDataJson lets a codec failure through and leaves the query as it is") {
        runTest {
            val client = testClient()
            val codec = QueryCodec.of<String>({ throw IllegalStateException("cannot encode $it") }, { it })
            client.fetchQuery(QueryOptions(queryKey("bad"), queryFn = { "x" }, codec = codec))
            val failure = shouldThrow<CodecException> { client.getQueryDataJson(queryKey("bad")) }
            failure.message shouldBe "the codec's encode failed: java.lang.IllegalStateException: cannot encode x"
            failure.cause!!.message shouldBe "cannot encode x"
            client.getQueryData<String>(queryKey("bad")) shouldBe "x"
        }
    }
})
