package dev.stackquery.internal

/**
 * JSON text that survives UTF-8. A string holding an unpaired surrogate (`"a\uD800"`) is valid
 * UTF-16 for the JVM but has no UTF-8 form: written raw, every encoder replaces it with `?`, so
 * `"a\uD800"` and `"a\uDBFF"` would become one stored key, and a value would come back changed.
 * Escaped as `\ud800`, it is plain ASCII that every JSON parser reads back as the same char.
 */
internal object JsonEscapes {
    /** True when the char at [index] of [s] is a surrogate without its other half. */
    private fun isUnpaired(s: CharSequence, index: Int): Boolean {
        val c = s[index]
        return when {
            c.isHighSurrogate() -> index + 1 >= s.length || !s[index + 1].isLowSurrogate()
            c.isLowSurrogate() -> index == 0 || !s[index - 1].isHighSurrogate()
            else -> false
        }
    }

    /** `\u` followed by [c]'s code as four lowercase hex digits, the form control chars take too. */
    fun StringBuilder.appendUnicodeEscape(c: Char): StringBuilder {
        append("\\u")
        val code = c.code
        for (shift in intArrayOf(12, 8, 4, 0)) append(HEX[(code shr shift) and 0xF])
        return this
    }

    /** Appends the char at [index] of [s]: as an escape when it is an unpaired surrogate. */
    fun StringBuilder.appendChar(s: CharSequence, index: Int): StringBuilder =
        if (isUnpaired(s, index)) appendUnicodeEscape(s[index]) else append(s[index])

    /**
     * [json] with every unpaired surrogate escaped; [json] itself when it has none. Valid for
     * JSON text, where such a char can only stand inside a string literal.
     */
    fun escapeUnpairedSurrogates(json: String): String {
        var first = -1
        for (i in json.indices) {
            if (json[i].isSurrogate() && isUnpaired(json, i)) {
                first = i
                break
            }
        }
        if (first < 0) return json
        val out = StringBuilder(json.length + 16).append(json, 0, first)
        for (i in first until json.length) out.appendChar(json, i)
        return out.toString()
    }

    private const val HEX = "0123456789abcdef"
}
