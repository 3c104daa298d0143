package dev.stackquery

import dev.stackquery.StructuralSharing.replaceEqualDeep
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import io.kotest.matchers.types.shouldNotBeSameInstanceAs
import java.util.LinkedList
import java.util.TreeMap

/** [StructuralSharing.replaceEqualDeep] on its own: which instances survive, and of what type the result is. */
class StructuralSharingSpec : FunSpec({
    data class User(val id: Int, val name: String)

    test("equal values give the old instance; different ones the new") {
        val old = User(1, "Ada")
        replaceEqualDeep(old, User(1, "Ada")) shouldBeSameInstanceAs old
        val new = User(1, "Grace")
        replaceEqualDeep(old, new) shouldBeSameInstanceAs new
        replaceEqualDeep<User?>(null, new) shouldBeSameInstanceAs new
        replaceEqualDeep<User?>(old, null) shouldBe null
    }

    test("a list keeps the old instances of its unchanged elements, in a new ArrayList") {
        val ada = User(1, "Ada")
        val grace = User(2, "Grace")
        val old = listOf(ada, grace)
        val new = listOf(User(1, "Ada"), User(2, "Grace Hopper"), User(3, "Linus"))
        val shared = replaceEqualDeep(old, new)
        shared shouldBe new
        shared.shouldBeInstanceOf<ArrayList<*>>()
        shared[0] shouldBeSameInstanceAs ada
        shared[1] shouldBeSameInstanceAs new[1]
        shared[2] shouldBeSameInstanceAs new[2]
    }

    test("an equal list gives the old list; a list with nothing in common stays the new one") {
        val old = listOf(User(1, "Ada"), User(2, "Grace"))
        replaceEqualDeep(old, listOf(User(1, "Ada"), User(2, "Grace"))) shouldBeSameInstanceAs old
        val unrelated = listOf(User(3, "Linus"))
        replaceEqualDeep(old, unrelated) shouldBeSameInstanceAs unrelated
        val shorter = listOf(User(1, "Ada"))
        val shared = replaceEqualDeep(old, shorter)
        shared shouldBe shorter
        shared[0] shouldBeSameInstanceAs old[0]
    }

    test("a map shares its values by key; added and removed keys are taken from the new map") {
        val ada = User(1, "Ada")
        val old = mapOf("a" to ada, "b" to User(2, "Grace"), "gone" to User(9, "x"))
        val new = linkedMapOf("a" to User(1, "Ada"), "b" to User(2, "Hopper"), "c" to User(3, "Linus"))
        val shared = replaceEqualDeep<Map<String, User>>(old, new)
        shared shouldBe new
        shared.keys.toList() shouldBe listOf("a", "b", "c")
        shared["a"] shouldBeSameInstanceAs ada
        shared["b"] shouldBeSameInstanceAs new["b"]
        replaceEqualDeep<Map<String, User>>(old, HashMap(old)) shouldBeSameInstanceAs old
    }

    test("a set's elements equal to old ones become the old instances") {
        val ada = User(1, "Ada")
        val old = setOf(ada, User(2, "Grace"))
        val new = setOf(User(1, "Ada"), User(3, "Linus"))
        val shared = replaceEqualDeep(old, new)
        shared shouldBe new
        shared.first() shouldBeSameInstanceAs ada
        replaceEqualDeep(old, setOf(User(2, "Grace"), User(1, "Ada"))) shouldBeSameInstanceAs old
    }

    test("sharing recurses: a list of maps of lists keeps every unchanged part") {
        val tags = listOf("x", "y")
        val old = listOf(mapOf("tags" to tags, "n" to listOf(1)), mapOf("tags" to listOf("z")))
        val new = listOf(mapOf("tags" to listOf("x", "y"), "n" to listOf(2)), mapOf("tags" to listOf("z")))
        val shared = replaceEqualDeep(old, new)
        shared shouldBe new
        shared[0]["tags"] shouldBeSameInstanceAs tags
        shared[1] shouldBeSameInstanceAs old[1]
        shared[0] shouldNotBeSameInstanceAs old[0]
    }

    test("collections whose type is part of the data are compared whole, never copied") {
        val oldTree = TreeMap(mapOf("a" to User(1, "Ada"), "b" to User(2, "Grace")))
        val newTree = TreeMap(mapOf("a" to User(1, "Ada"), "b" to User(2, "Hopper")))
        replaceEqualDeep<Map<String, User>>(oldTree, newTree) shouldBeSameInstanceAs newTree
        replaceEqualDeep<Map<String, User>>(oldTree, TreeMap(oldTree)) shouldBeSameInstanceAs oldTree
        val oldLinked = LinkedList(listOf(1, 2))
        val newLinked = LinkedList(listOf(1, 3))
        replaceEqualDeep<List<Int>>(oldLinked, newLinked) shouldBeSameInstanceAs newLinked
        // Either side: a plain new value never becomes a special old one (which may not even equal it).
        val caseInsensitive = TreeMap<String, Int>(String.CASE_INSENSITIVE_ORDER).apply { put("A", 1) }
        val plain = hashMapOf("a" to 1)
        replaceEqualDeep<Map<String, Int>>(caseInsensitive, plain) shouldBeSameInstanceAs plain
        val list = listOf(1, 2)
        replaceEqualDeep<List<Int>>(LinkedList(listOf(1, 2)), list) shouldBeSameInstanceAs list
    }

    test("arrays have no value equality, so they are never shared") {
        val old = arrayOf(1, 2)
        val new = arrayOf(1, 2)
        replaceEqualDeep(old, new) shouldBeSameInstanceAs new
    }
})
