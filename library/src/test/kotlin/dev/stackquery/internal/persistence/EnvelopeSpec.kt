package dev.stackquery.internal.persistence

import dev.stackquery.storage.CodecException
import dev.stackquery.storage.QueryCodec
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.serialization.SerializationException
import kotlinx.serialization.builtins.nullable
import kotlinx.serialization.builtins.serializer

private val ints = QueryCodec.kotlinx(Int.serializer())

/** The reader's clock in most tests: after every stored timestamp, so none is clamped. */
private const val NOW = Long.MAX_VALUE

/** A hand-written codec (not kotlinx.serialization's): a name as a JSON object `{"name":…}`, no escaping. */
private class NameCodec(
    val encodeAs: (String) -> String = { "{\"name\":\"$it\"}" },
    val decodeAs: (String) -> String = { it.removePrefix("{\"name\":\"").removeSuffix("\"}") },
) : QueryCodec<String> {
    val decoded = mutableListOf<String>()

    override fun encode(value: String): String = encodeAs(value)

    override fun decode(text: String): String = decodeAs(text).also { decoded += text }
}

/** A codec whose encode and decode throw [error]. */
private class ThrowingCodec(val error: Throwable) : QueryCodec<Int> {
    override fun encode(value: Int): String = throw error

    override fun decode(text: String): Int = throw error
}

class EnvelopeSpec : FunSpec({
    test("encodes the documented form, and decodes it back") {
        val text = Envelope.encode(ints, 42, dataUpdatedAt = 1_234, invalidated = false, buster = "")
        text shouldBe """{"v":1,"data":42,"dataUpdatedAt":1234,"invalidated":false}"""
        val back = Envelope.decode(text, "", ints, NOW)!!
        back.data shouldBe 42
        back.dataUpdatedAt shouldBe 1_234
        back.invalidated shouldBe false
    }

    test("the invalidated flag round-trips") {
        val text = Envelope.encode(ints, 7, 99, invalidated = true, buster = "")
        text shouldBe """{"v":1,"data":7,"dataUpdatedAt":99,"invalidated":true}"""
        Envelope.decode(text, "", ints, NOW)!!.invalidated shouldBe true
    }

    test("a buster is written as a JSON string and must match on decode") {
        val text = Envelope.encode(ints, 1, 5, false, buster = "v\"2")
        text shouldBe """{"v":1,"data":1,"dataUpdatedAt":5,"invalidated":false,"buster":"v\"2"}"""
        Envelope.decode(text, "v\"2", ints, NOW)!!.data shouldBe 1
        Envelope.decode(text, "v3", ints, NOW) shouldBe null
        Envelope.decode(text, "", ints, NOW) shouldBe null // the client dropped its buster
        val unbusted = Envelope.encode(ints, 1, 5, false, buster = "")
        Envelope.decode(unbusted, "v2", ints, NOW) shouldBe null // the client added one
    }

    test("another envelope version decodes to null, whatever else the entry lacks") {
        Envelope.decode("""{"v":2,"data":1,"dataUpdatedAt":5,"invalidated":false}""", "", ints, NOW) shouldBe null
        Envelope.decode("""{"v":0}""", "", ints, NOW) shouldBe null
        Envelope.decode("""{"v":2,"buster":"other"}""", "", ints, NOW) shouldBe null
    }

    test("an entry with no \"invalidated\" reads as not invalidated; a non-boolean one is a CodecException") {
        Envelope.decode("""{"v":1,"data":3,"dataUpdatedAt":8}""", "", ints, NOW)!!.invalidated shouldBe false
        shouldThrow<CodecException> {
            Envelope.decode("""{"v":1,"data":3,"dataUpdatedAt":8,"invalidated":"yes"}""", "", ints, NOW)
        }
    }

    test("an entry missing its version, dataUpdatedAt or data is a CodecException") {
        shouldThrow<CodecException> {
            Envelope.decode("""{"data":1,"dataUpdatedAt":5}""", "", ints, NOW)
        }.message shouldBe "the stored entry has no envelope version"
        shouldThrow<CodecException> {
            Envelope.decode("""{"v":"one","data":1,"dataUpdatedAt":5}""", "", ints, NOW)
        }.message shouldBe "the stored entry has no envelope version"
        shouldThrow<CodecException> {
            Envelope.decode("""{"v":1,"data":1}""", "", ints, NOW)
        }.message shouldBe "the stored entry has no dataUpdatedAt"
        shouldThrow<CodecException> {
            Envelope.decode("""{"v":1,"data":1,"dataUpdatedAt":"soon"}""", "", ints, NOW)
        }.message shouldBe "the stored entry has no dataUpdatedAt"
        shouldThrow<CodecException> {
            Envelope.decode("""{"v":1,"dataUpdatedAt":5}""", "", ints, NOW)
        }.message shouldBe "the stored entry has no data"
    }

    test("text that is not a JSON object is a CodecException") {
        val notJson = shouldThrow<CodecException> { Envelope.decode("not json", "", ints, NOW) }
        notJson.message shouldBe "the stored entry is not JSON"
        notJson.cause.shouldBeInstanceOf<SerializationException>()
        shouldThrow<CodecException> { Envelope.decode("[1,2]", "", ints, NOW) }.message shouldBe
            "the stored entry is not a JSON object"
        shouldThrow<CodecException> { Envelope.decode("42", "", ints, NOW) }.message shouldBe
            "the stored entry is not a JSON object"
    }

    test("data the codec cannot read is a CodecException with the codec's failure as cause") {
        val e = shouldThrow<CodecException> {
            Envelope.decode("""{"v":1,"data":"text","dataUpdatedAt":5}""", "", ints, NOW)
        }
        e.message shouldBe "the codec could not read the stored data"
        e.cause.shouldBeInstanceOf<SerializationException>()
    }

    test("a hand-written codec gets the data element as JSON text, and round-trips") {
        val codec = NameCodec()
        val text = Envelope.encode(codec, "ann", 10, false, "")
        text shouldBe """{"v":1,"data":{"name":"ann"},"dataUpdatedAt":10,"invalidated":false}"""
        Envelope.decode(text, "", codec, NOW)!!.data shouldBe "ann"
        codec.decoded shouldBe listOf("""{"name":"ann"}""")
    }

    test("a hand-written codec's output that is not JSON is a CodecException on encode") {
        val e = shouldThrow<CodecException> {
            Envelope.encode(NameCodec(encodeAs = { "{name: $it" }), "ann", 10, false, "")
        }
        e.message shouldBe "the codec's output is not JSON text: {name: ann"
        e.cause.shouldBeInstanceOf<SerializationException>()
        for (output in listOf("", "  ", "{} {}", "1 2", "[a b]", "a:b", "{\"a\":1")) {
            shouldThrow<CodecException> { Envelope.encode(NameCodec(encodeAs = { output }), "x", 1, false, "") }
        }
        val long = "x".repeat(200) + ":"
        shouldThrow<CodecException> { Envelope.encode(NameCodec(encodeAs = { long }), "x", 1, false, "") }
            .message shouldBe "the codec's output is not JSON text: " + "x".repeat(80)
    }

    // Json.parseToJsonElement alone accepts bare tokens as literals (`name=ann`, `hello`, `NaN`, `{"a":hello}`).
    test("a hand-written codec's output that is a bare non-JSON token is a CodecException on encode") {
        for (output in listOf("name=ann", "hello", "NaN", "1.2.3", "tru", "{\"a\":hello}")) {
            shouldThrow<CodecException> { Envelope.encode(NameCodec(encodeAs = { output }), "x", 1, false, "") }
        }
    }

    test(
        "a codec that throws, an Error such as StackOverflowError or NotImplementedError included, is a CodecException",
    ) {
        for (error in listOf(IllegalStateException("bad"), StackOverflowError(), NotImplementedError())) {
            val onEncode = shouldThrow<CodecException> { Envelope.encode(ThrowingCodec(error), 1, 1, false, "") }
            onEncode.message shouldBe "the codec could not encode the data"
            onEncode.cause shouldBeSameInstanceAs error
            val onDecode = shouldThrow<CodecException> {
                Envelope.decode("""{"v":1,"data":1,"dataUpdatedAt":5}""", "", ThrowingCodec(error), NOW)
            }
            onDecode.message shouldBe "the codec could not read the stored data"
            onDecode.cause shouldBeSameInstanceAs error
        }
    }

    test("a fatal error from the codec propagates as is") {
        val oom = OutOfMemoryError("simulated")
        shouldThrow<OutOfMemoryError> { Envelope.encode(ThrowingCodec(oom), 1, 1, false, "") } shouldBeSameInstanceAs
            oom
        shouldThrow<OutOfMemoryError> {
            Envelope.decode("""{"v":1,"data":1,"dataUpdatedAt":5}""", "", ThrowingCodec(oom), NOW)
        } shouldBeSameInstanceAs oom
    }

    test("null data round-trips with a nullable codec") {
        val codec = QueryCodec.kotlinx(String.serializer().nullable)
        val text = Envelope.encode(codec, null, 3, false, "")
        text shouldBe """{"v":1,"data":null,"dataUpdatedAt":3,"invalidated":false}"""
        val back = Envelope.decode(text, "", codec, NOW)!!
        back.data shouldBe null
        back.dataUpdatedAt shouldBe 3
    }

    test("unpaired surrogates in the data and the buster are escaped, and read back unchanged") {
        val strings = QueryCodec.kotlinx(String.serializer())
        val value = "a\uD800b\uDC00" // two unpaired halves
        val text = Envelope.encode(strings, value, 1, false, buster = "x\uDBFF")
        text shouldBe """{"v":1,"data":"a\ud800b\udc00","dataUpdatedAt":1,"invalidated":false,"buster":"x\udbff"}"""
        text.all { !it.isSurrogate() } shouldBe true
        Envelope.decode(text, "x\uDBFF", strings, NOW)!!.data shouldBe value
        val paired = "\uD83D\uDE00" // a valid pair stays as is
        Envelope.encode(strings, paired, 1, false, "") shouldBe
            """{"v":1,"data":"$paired","dataUpdatedAt":1,"invalidated":false}"""
    }

    test("a Long timestamp round-trips at its extremes") {
        val text = Envelope.encode(ints, 1, Long.MAX_VALUE, false, "")
        Envelope.decode(text, "", ints, NOW)!!.dataUpdatedAt shouldBe Long.MAX_VALUE
        Envelope.decode(Envelope.encode(ints, 1, -1, false, ""), "", ints, NOW)!!.dataUpdatedAt shouldBe -1
    }

    test("a dataUpdatedAt after the reader's clock reads as the reader's now") {
        val text = Envelope.encode(ints, 1, 5_000, false, "")
        Envelope.decode(text, "", ints, nowMillis = 1_000)!!.dataUpdatedAt shouldBe 1_000
        Envelope.decode(text, "", ints, nowMillis = 9_000)!!.dataUpdatedAt shouldBe 5_000
    }
})
