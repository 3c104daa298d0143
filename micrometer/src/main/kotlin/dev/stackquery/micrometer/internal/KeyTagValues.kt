package dev.stackquery.micrometer.internal

import dev.stackquery.QueryKey

/**
 * The `key` tag values of one registry: the first [segments] segments of a key in their canonical
 * text form, at most [maxValues] distinct ones in the order they are first seen, [OTHER] for the
 * rest. Not thread-safe: one event collector uses it.
 */
internal class KeyTagValues(private val segments: Int, private val maxValues: Int) {
    private val seen = HashSet<String>()

    /** The tag value for [key]. */
    fun valueFor(key: QueryKey): String {
        val prefix = if (key.size <= segments) key else QueryKey.of(*key.segments.subList(0, segments).toTypedArray())
        val text = prefix.toString()
        return when {
            text in seen -> text
            seen.size < maxValues -> text.also { seen += it }
            else -> OTHER
        }
    }

    companion object {
        /** The value for every prefix past the guard (a canonical key text starts with `[`, so none reads so). */
        const val OTHER = "other"
    }
}
