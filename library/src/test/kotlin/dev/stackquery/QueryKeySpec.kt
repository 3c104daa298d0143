package dev.stackquery

import dev.stackquery.internal.persistence.StorageKeys
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain

class QueryKeySpec : FunSpec({
    test("the text form is the canonical JSON array") {
        queryKey("user", 42, 1.5, true, 7L).toString() shouldBe """["user",42,1.5,true,7]"""
        queryKey().toString() shouldBe "[]"
        QueryKey.EMPTY shouldBe queryKey()
    }

    test("the text form tells a number from the same digits in a string, and an integer from a double") {
        queryKey(1).toString() shouldBe "[1]"
        queryKey("1").toString() shouldBe """["1"]"""
        queryKey(1.0).toString() shouldBe "[1.0]"
        queryKey(1) shouldNotBe queryKey("1")
        queryKey(1) shouldNotBe queryKey(1.0)
    }

    test("strings are escaped so that no two keys share a text form") {
        queryKey("a\",\"b").toString() shouldBe """["a\",\"b"]"""
        queryKey("a\",\"b") shouldNotBe queryKey("a", "b")
        queryKey("a\",\"b").toString() shouldNotBe queryKey("a", "b").toString()
        queryKey("back\\slash", "tab\tnew\nline", "\u0001").toString() shouldBe
            """["back\\slash","tab\tnew\nline","\u0001"]"""
        queryKey("ünï").toString() shouldBe """["ünï"]"""
    }

    test("unpaired surrogates are escaped, so keys that differ only in them keep distinct, valid UTF-8 text") {
        val keys =
            listOf(queryKey("s", "a\uD800"), queryKey("s", "a\uDBFF"), queryKey("s", "a?"), queryKey("s", "a\uDC00"))
        keys.map { it.toString() } shouldBe
            listOf("""["s","a\ud800"]""", """["s","a\udbff"]""", """["s","a?"]""", """["s","a\udc00"]""")
        val utf8 = keys.map { String(it.toString().toByteArray(Charsets.UTF_8), Charsets.UTF_8) }
        utf8.toSet().size shouldBe 4
        utf8 shouldBe keys.map { it.toString() }
        // A low surrogate before a high one is two unpaired halves; a pair in order stays as is.
        queryKey("\uDC00\uD800").toString() shouldBe """["\udc00\ud800"]"""
        queryKey("x\uD83D\uDE00y").toString() shouldBe "[\"x\uD83D\uDE00y\"]"
        queryKey("\u0000").toString() shouldBe """["\u0000"]"""
    }

    test("the text form reads back as the same key, unpaired surrogates and control chars included") {
        for (key in listOf(
            queryKey("s", "a\uD800", 1, 2.5, true),
            queryKey("\uDBFF\u0000\u001f\"\\"),
            queryKey("ü😀"),
        )) {
            StorageKeys.parse(key.toString()) shouldBe key
        }
    }

    test("-0.0 and 0.0 are two keys with two text forms; a 1 MB segment is one key whose text reads back") {
        queryKey(-0.0) shouldNotBe queryKey(0.0)
        listOf(queryKey(-0.0).toString(), queryKey(0.0).toString()) shouldBe listOf("[-0.0]", "[0.0]")
        StorageKeys.parse(queryKey(-0.0).toString()) shouldBe queryKey(-0.0)
        val long = queryKey("q", "a".repeat(1_000_000))
        long.toString().length shouldBe 1_000_000 + 8
        StorageKeys.parse(long.toString()) shouldBe long
    }

    test("an Int segment equals the same Long segment") {
        queryKey("user", 42) shouldBe queryKey("user", 42L)
        queryKey("user", 42).hashCode() shouldBe queryKey("user", 42L).hashCode()
        queryKey("user", 42)[1] shouldBe 42L
    }

    test("a segment of another type is rejected with a message naming it") {
        shouldThrow<IllegalArgumentException> { queryKey("user", listOf(1)) }.message.let {
            it shouldContain "segment 1"
            it shouldContain "java.util"
        }
        shouldThrow<IllegalArgumentException> { QueryKey.of("a", 1.5f) }.message shouldContain "segment 1"
        @Suppress("UNCHECKED_CAST")
        val withNull = arrayOf<Any?>("a", null) as Array<Any> // what a Java caller can pass
        shouldThrow<IllegalArgumentException> { QueryKey.of(*withNull) }.message shouldContain "segment 1 is null"
        shouldThrow<IllegalArgumentException> { queryKey(Double.NaN) }.message shouldContain "finite"
        shouldThrow<IllegalArgumentException> { queryKey(Double.POSITIVE_INFINITY) }.message shouldContain "segment 0"
    }

    test("a key starts with itself, its prefixes and the empty key, and nothing else") {
        val key = queryKey("user", 1, "posts")
        key.startsWith(key) shouldBe true
        key.startsWith(queryKey("user", 1)) shouldBe true
        key.startsWith(queryKey("user")) shouldBe true
        key.startsWith(QueryKey.EMPTY) shouldBe true
        key.startsWith(queryKey("users")) shouldBe false
        key.startsWith(queryKey("user", "1")) shouldBe false
        queryKey("user").startsWith(key) shouldBe false
    }

    test("keys compare by segments and expose them in order") {
        val key = queryKey("user", 1)
        key.size shouldBe 2
        key.segments shouldBe listOf("user", 1L)
        key.plus("posts", 2) shouldBe queryKey("user", 1, "posts", 2)
        key shouldBe queryKey("user", 1)
        key shouldNotBe queryKey(1, "user")
    }
})
