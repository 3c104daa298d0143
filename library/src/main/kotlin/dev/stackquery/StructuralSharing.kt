package dev.stackquery

/**
 * Structural sharing, the JVM analogue of TanStack Query's `replaceEqualDeep`: when new data
 * arrives for a query, the parts equal to the cached data keep their cached instances, so code
 * that compares by reference (a `select` memo, Compose's stability checks, a Swing model's
 * `==`) sees no change where there is none.
 *
 * A query applies [replaceEqualDeep] to the data of every settled fetch, every `setQueryData`
 * and every value another instance sets, unless its options say
 * [structuralSharing = false][QueryOptions.structuralSharing] or give their own
 * [function][QueryOptions.structuralSharingFunction] (which may delegate to this one).
 */
public object StructuralSharing {
    /**
     * [new], with every part equal to the matching part of [old] replaced by [old]'s instance;
     * [old] itself when the two are equal.
     *
     * - A `List` is shared element by element (by index), a `Map` value by value (by key), a `Set`
     *   element by element (an element equal to one of [old]'s becomes that instance), each
     *   recursively. When some but not all parts are shared, the result is a new `ArrayList`,
     *   `LinkedHashMap` or `LinkedHashSet` in [new]'s order. This applies to the JDK's and Kotlin's
     *   general-purpose collections (`ArrayList`, `List.of`, `listOf`, `HashMap`, `LinkedHashMap`,
     *   `mapOf`, `HashSet`, `setOf`, their empty, singleton and unmodifiable forms and what
     *   `buildList` returns); other collections (sorted, persistent or custom ones, whose type is
     *   part of the data) are compared as a whole, on either side, so such an instance is never
     *   replaced by a copy, nor a copy by one.
     * - Any other value is compared as a whole with `equals`: equal and of the same class, [old]
     *   is returned; otherwise [new] (so the data keeps the type its source gave it). Types without
     *   value equality (arrays, classes that do not override `equals`) are therefore never shared.
     *
     * Cost: about one `equals` of the data, plus a copy of each collection that changed only in
     * part (and, for a `Set`, an index of [old]'s elements). A function that throws is not caught
     * here; the query catches it, logs it and keeps [new].
     */
    @JvmStatic
    public fun <T> replaceEqualDeep(old: T, new: T): T {
        @Suppress("UNCHECKED_CAST") // share returns old, new, or a copy of new's collection kind
        return share(old, new) as T
    }

    private fun share(old: Any?, new: Any?): Any? = when {
        old === new -> old
        old == null || new == null -> new
        new is List<*> && old is List<*> && plain(old, new, LISTS) -> shareList(old, new)
        new is Map<*, *> && old is Map<*, *> && plain(old, new, MAPS) -> shareMap(old, new)
        new is Set<*> && old is Set<*> && plain(old, new, SETS) -> shareSet(old, new)
        old.javaClass == new.javaClass && old == new -> old
        else -> new
    }

    private fun shareList(old: List<*>, new: List<*>): Any {
        val shared = arrayOfNulls<Any?>(new.size)
        var allOld = old.size == new.size
        var changed = false
        for ((i, element) in new.withIndex()) {
            val previous = if (i < old.size) old[i] else NOTHING
            val result = if (previous === NOTHING) element else share(previous, element)
            shared[i] = result
            if (result !== previous) allOld = false
            if (result !== element) changed = true
        }
        return when {
            allOld -> old
            !changed -> new
            else -> ArrayList(shared.asList())
        }
    }

    private fun shareMap(old: Map<*, *>, new: Map<*, *>): Any {
        val shared = LinkedHashMap<Any?, Any?>(capacity(new.size))
        var allOld = old.size == new.size
        var changed = false
        for ((key, value) in new) {
            val result = if (old.containsKey(key)) share(old[key], value) else value
            shared[key] = result
            if (!old.containsKey(key) || result !== old[key]) allOld = false
            if (result !== value) changed = true
        }
        return when {
            allOld -> old
            !changed -> new
            else -> shared
        }
    }

    private fun shareSet(old: Set<*>, new: Set<*>): Any {
        val instances = HashMap<Any?, Any?>(capacity(old.size))
        for (element in old) instances[element] = element
        val shared = LinkedHashSet<Any?>(capacity(new.size))
        var allOld = old.size == new.size
        var changed = false
        for (element in new) {
            val found = instances.containsKey(element)
            val result = if (found) instances[element] else element
            shared += result
            if (!found) allOld = false
            if (result !== element) changed = true
        }
        return when {
            allOld -> old
            !changed -> new
            else -> shared
        }
    }

    /** Both collections are general-purpose ones (of [kinds]): neither's type is part of the data. */
    private fun plain(old: Any, new: Any, kinds: Set<String>): Boolean =
        new.javaClass.name in kinds && old.javaClass.name in kinds

    private fun capacity(size: Int): Int = if (size < 3) 4 else (size / 0.75f + 1).toInt()

    private val NOTHING = Any()

    private val LISTS = setOf(
        "java.util.ArrayList", "java.util.Arrays\$ArrayList", "java.util.ImmutableCollections\$ListN",
        "java.util.ImmutableCollections\$List12", "java.util.Collections\$SingletonList",
        "java.util.Collections\$EmptyList", "java.util.Collections\$UnmodifiableRandomAccessList",
        "kotlin.collections.EmptyList", "kotlin.collections.builders.ListBuilder",
    )
    private val MAPS = setOf(
        "java.util.HashMap", "java.util.LinkedHashMap", "java.util.ImmutableCollections\$MapN",
        "java.util.ImmutableCollections\$Map1", "java.util.Collections\$SingletonMap",
        "java.util.Collections\$EmptyMap", "java.util.Collections\$UnmodifiableMap",
        "kotlin.collections.EmptyMap", "kotlin.collections.builders.MapBuilder",
    )
    private val SETS = setOf(
        "java.util.HashSet", "java.util.LinkedHashSet", "java.util.ImmutableCollections\$SetN",
        "java.util.ImmutableCollections\$Set12", "java.util.Collections\$SingletonSet",
        "java.util.Collections\$EmptySet", "java.util.Collections\$UnmodifiableSet",
        "kotlin.collections.EmptySet", "kotlin.collections.builders.SetBuilder",
    )
}
