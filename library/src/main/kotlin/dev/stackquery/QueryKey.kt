package dev.stackquery

import dev.stackquery.internal.JsonEscapes.appendChar
import dev.stackquery.internal.JsonEscapes.appendUnicodeEscape
import java.util.Collections

/**
 * The identity of a query: an immutable list of segments, from the most general to the most
 * specific, such as `queryKey("user", 42, "posts")`.
 *
 * A segment is a [String], [Int], [Long], [Double] or [Boolean]. Any other type (including `null`,
 * a non-finite [Double] and [Float]) is rejected at construction with an [IllegalArgumentException]
 * that names the segment and its position. An [Int] is stored as the equal [Long], so
 * `queryKey("user", 42)` and `queryKey("user", 42L)` are one key.
 *
 * **Text form.** [toString] is the canonical JSON array of the segments, for example
 * `["user",42]`. It is injective (`queryKey(1)` is `[1]`, `queryKey("1")` is `["1"]`), identical in
 * every process and JVM version, and it is the key under which a persistent (L2) tier stores the
 * entry. Doubles always carry a fraction or exponent (`1.0`), so they never collide with integers.
 * Strings are escaped as JSON: `"` and `\` with a backslash, `\n`, `\r` and `\t` as such, other
 * control chars (NUL included) and unpaired surrogates (`"a\uD800"`, which UTF-8 cannot encode) as
 * `\u` and four lowercase hex digits; every other char stays as is. So the text is valid UTF-8 and
 * no two keys share a stored form.
 *
 * **Prefix matching.** A key used as a filter matches every key it is a prefix of, itself
 * included: `queryKey("user")` matches `["user"]`, `["user",1]` and `["user",1,"posts"]`, but not
 * `["users"]`. The empty key matches every key.
 *
 * Keys are values: [equals] and [hashCode] follow the segments, and the hash code is computed
 * once. Instances are immutable and safe to share between threads.
 *
 * ```kotlin
 * val key = queryKey("user", 42)          // from Java: QueryKey.of("user", 42)
 * key.startsWith(queryKey("user"))        // true
 * key.toString()                          // ["user",42]
 * ```
 */
public class QueryKey private constructor(
    private val parts: Array<Any>,
) {
    private val hash: Int = parts.contentHashCode()

    /** The canonical JSON text form, for example `["user",42]`. */
    private val text: String = buildText(parts)

    /** The number of segments. */
    public val size: Int get() = parts.size

    /** The segments, in order, as an unmodifiable list (an [Int] segment reads back as a [Long]). */
    public val segments: List<Any> get() = Collections.unmodifiableList(parts.asList())

    /** The segment at [index]; throws [IndexOutOfBoundsException] outside `0 until size`. */
    public operator fun get(index: Int): Any = parts[index]

    /**
     * True when [prefix] is a prefix of this key (every key starts with itself and with the empty
     * key). This is the rule filters use to match keys.
     */
    public fun startsWith(prefix: QueryKey): Boolean {
        if (prefix.parts.size > parts.size) return false
        for (i in prefix.parts.indices) {
            if (prefix.parts[i] != parts[i]) return false
        }
        return true
    }

    /** A new key made of this key's segments followed by [more] (validated like any segment). */
    public fun plus(vararg more: Any): QueryKey = of(*parts, *more)

    override fun equals(other: Any?): Boolean =
        this === other || (other is QueryKey && hash == other.hash && parts.contentEquals(other.parts))

    override fun hashCode(): Int = hash

    /** The canonical JSON text form, for example `["user",42]`. */
    override fun toString(): String = text

    public companion object {
        /** The key with no segments. As a filter it matches every key. */
        @JvmField
        public val EMPTY: QueryKey = QueryKey(emptyArray())

        /**
         * A key of [segments], each a [String], [Int], [Long], [Double] or [Boolean].
         *
         * @throws IllegalArgumentException naming the first segment of another type.
         */
        @JvmStatic
        public fun of(vararg segments: Any): QueryKey {
            if (segments.isEmpty()) return EMPTY
            val parts = arrayOfNulls<Any>(segments.size)
            for (i in segments.indices) parts[i] = normalize(segments[i], i)
            @Suppress("UNCHECKED_CAST") // every element was set above: no null is left
            return QueryKey(parts as Array<Any>)
        }

        private fun normalize(segment: Any?, index: Int): Any = when (segment) {
            is String, is Long, is Boolean -> segment
            is Int -> segment.toLong()
            is Double -> {
                require(segment.isFinite()) { "query key segment $index is $segment: a Double segment must be finite" }
                segment
            }
            null -> throw IllegalArgumentException("query key segment $index is null: segments must not be null")
            else -> throw IllegalArgumentException(
                "query key segment $index (${segment::class.java.name}: $segment) is not allowed: " +
                    "use String, Int, Long, Double or Boolean",
            )
        }

        private fun buildText(parts: Array<Any>): String {
            val out = StringBuilder(2 + parts.size * 8).append('[')
            for (i in parts.indices) {
                if (i > 0) out.append(',')
                when (val part = parts[i]) {
                    is String -> appendJsonString(out, part)
                    else -> out.append(part.toString())
                }
            }
            return out.append(']').toString()
        }

        private fun appendJsonString(out: StringBuilder, s: String) {
            out.append('"')
            for (i in s.indices) {
                val c = s[i]
                when {
                    c == '"' -> out.append("\\\"")
                    c == '\\' -> out.append("\\\\")
                    c == '\n' -> out.append("\\n")
                    c == '\r' -> out.append("\\r")
                    c == '\t' -> out.append("\\t")
                    c < ' ' -> out.appendUnicodeEscape(c)
                    else -> out.appendChar(s, i) // an unpaired surrogate as \udxxx: see JsonEscapes
                }
            }
            out.append('"')
        }
    }
}

/** Kotlin shorthand for [QueryKey.of]: `queryKey("user", 42)`. */
public fun queryKey(vararg segments: Any): QueryKey = QueryKey.of(*segments)
