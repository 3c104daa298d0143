package dev.stackquery.internal.store

import dev.stackquery.QueryKey
import dev.stackquery.internal.query.Query
import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.shouldBe

/** The keys [KeyIndex.collect] finds under [prefix], as canonical text, sorted. */
private fun KeyIndex.keysUnder(prefix: QueryKey): List<String> =
    ArrayList<Query<*>>().also { collect(prefix, it) }.map { it.key.toString() }.sorted()

private fun KeyIndex.under(prefix: QueryKey): List<Query<*>> = ArrayList<Query<*>>().also { collect(prefix, it) }

class KeyIndexSpec : FunSpec({
    val host = FakeQueryHost()

    fun indexOf(vararg keys: QueryKey): Pair<KeyIndex, List<Query<*>>> {
        val index = KeyIndex()
        val queries = keys.map { host.query(it) }
        queries.forEach(index::add)
        return index to queries
    }

    test("an exact key finds its own query and every key under it, not a sibling") {
        val (index, queries) = indexOf(queryKey("user", 1), queryKey("user", 1, "posts"), queryKey("user", 2))
        index.keysUnder(queryKey("user", 1)) shouldBe listOf("[\"user\",1,\"posts\"]", "[\"user\",1]")
        index.under(queryKey("user", 2)) shouldContainExactly listOf(queries[2])
        index.under(queryKey("user", 1, "posts")) shouldContainExactly listOf(queries[1])
    }

    test("a prefix finds every key that starts with it, and only those") {
        val (index, _) = indexOf(
            queryKey("user", 1),
            queryKey("user", 2, "posts"),
            queryKey("users"),
            queryKey("post", 1),
        )
        index.keysUnder(queryKey("user")) shouldBe listOf("[\"user\",1]", "[\"user\",2,\"posts\"]")
        index.keysUnder(queryKey("user", 2)) shouldBe listOf("[\"user\",2,\"posts\"]")
        index.keysUnder(queryKey("use")).shouldBeEmpty() // segments, not text: "use" is no prefix of "user"
        index.keysUnder(queryKey("user", 3)).shouldBeEmpty()
        index.keysUnder(queryKey("user", 2, "posts", 9)).shouldBeEmpty() // longer than every key
    }

    test("the empty key finds every query, the one under the empty key included") {
        val (index, queries) = indexOf(QueryKey.EMPTY, queryKey("a"), queryKey("a", "b"), queryKey(1), queryKey(true))
        index.under(QueryKey.EMPTY) shouldContainExactlyInAnyOrder queries
        index.under(queryKey("a")) shouldContainExactlyInAnyOrder listOf(queries[1], queries[2])
    }

    test("segments match by value and type: 1, 1L, \"1\" and 1.0 are distinct except Int and Long") {
        val (index, queries) = indexOf(queryKey(1L), queryKey("1"), queryKey(1.0))
        index.under(queryKey(1)) shouldContainExactly listOf(queries[0]) // Int 1 is stored as Long 1
        index.under(queryKey("1")) shouldContainExactly listOf(queries[1])
        index.under(queryKey(1.0)) shouldContainExactly listOf(queries[2])
        index.under(queryKey(true)).shouldBeEmpty()
    }

    test("removal drops only that query; a key that is a prefix of another keeps the other") {
        val (index, queries) = indexOf(queryKey("a"), queryKey("a", "b"), queryKey("a", "b", "c"))
        index.remove(queries[1]) // the middle one: its parent and child stay
        index.keysUnder(queryKey("a")) shouldBe listOf("[\"a\",\"b\",\"c\"]", "[\"a\"]")
        index.under(queryKey("a", "b")) shouldContainExactly listOf(queries[2])

        index.remove(queries[2]) // the deepest: the branch under ["a"] is left empty
        index.under(queryKey("a")) shouldContainExactly listOf(queries[0])
        index.under(queryKey("a", "b")).shouldBeEmpty()

        index.remove(queries[0])
        index.under(QueryKey.EMPTY).shouldBeEmpty()
    }

    test("removing the shorter key keeps the longer ones under it") {
        val (index, queries) = indexOf(queryKey("a"), queryKey("a", 1), queryKey("a", 2))
        index.remove(queries[0])
        index.under(queryKey("a")) shouldContainExactlyInAnyOrder listOf(queries[1], queries[2])
        index.under(QueryKey.EMPTY) shouldContainExactlyInAnyOrder listOf(queries[1], queries[2])
    }

    test("removal is a no-op for a query that is not the one indexed under its key") {
        val (index, queries) = indexOf(queryKey("k"))
        val newer = host.query(queryKey("k"))
        index.remove(newer) // another instance of the same key: the indexed one stays
        index.under(queryKey("k")) shouldContainExactly listOf(queries[0])
        index.remove(host.query(queryKey("never", "added"))) // no such path at all
        index.under(QueryKey.EMPTY) shouldContainExactly listOf(queries[0])
    }

    test("adding a query under an indexed key replaces it; removing the replaced one then changes nothing") {
        val (index, queries) = indexOf(queryKey("k"))
        val newer = host.query(queryKey("k"))
        index.add(newer)
        index.under(queryKey("k")) shouldContainExactly listOf(newer)
        index.remove(queries[0])
        index.under(queryKey("k")) shouldContainExactly listOf(newer)
    }

    test("a removed and pruned key can be added and found again") {
        val (index, queries) = indexOf(queryKey("x", "y", "z"))
        index.remove(queries[0])
        index.under(QueryKey.EMPTY).shouldBeEmpty()
        val again = host.query(queryKey("x", "y", "z"))
        index.add(again)
        index.under(queryKey("x")) shouldContainExactly listOf(again)
    }

    test("the empty key's own query can be removed without touching the others") {
        val (index, queries) = indexOf(QueryKey.EMPTY, queryKey("a"))
        index.remove(queries[0])
        index.under(QueryKey.EMPTY) shouldContainExactly listOf(queries[1])
    }

    test("string segments holding quotes, commas and brackets are whole segments, never split or merged") {
        val (index, queries) = indexOf(
            queryKey("a,b"), // one segment with a comma
            queryKey("a", "b"), // two segments
            queryKey("a\""), // a quote
            queryKey("[a"), // a bracket
            queryKey("a", "b]"),
            queryKey("a\",\"b"), // text that looks like two segments in the canonical form
        )
        index.under(queryKey("a")) shouldContainExactlyInAnyOrder listOf(queries[1], queries[4])
        index.under(queryKey("a,b")) shouldContainExactly listOf(queries[0])
        index.under(queryKey("a\"")) shouldContainExactly listOf(queries[2])
        index.under(queryKey("[a")) shouldContainExactly listOf(queries[3])
        index.under(queryKey("[")).shouldBeEmpty()
        index.under(queryKey("a", "b")) shouldContainExactly listOf(queries[1])
        index.under(queryKey("a\",\"b")) shouldContainExactly listOf(queries[5])
        index.remove(queries[5])
        index.under(queryKey("a")) shouldContainExactlyInAnyOrder listOf(queries[1], queries[4])
    }

    test("collect appends to what the list already holds") {
        val (index, queries) = indexOf(queryKey("a"))
        val out = mutableListOf<Query<*>>(queries[0])
        index.collect(queryKey("a"), out)
        out shouldContainExactly listOf(queries[0], queries[0])
    }
})
