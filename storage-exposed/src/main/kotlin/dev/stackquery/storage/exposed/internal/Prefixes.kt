package dev.stackquery.storage.exposed.internal

/**
 * The least string greater, in Unicode code point order, than every string that starts with
 * [prefix]: the exclusive upper bound of the key range `[prefix, bound)`. `null` when there is none
 * (an empty prefix, or one made only of U+10FFFF), so the range is unbounded above.
 */
internal fun prefixUpperBound(prefix: String): String? {
    val codePoints = prefix.codePoints().toArray()
    var length = codePoints.size
    while (length > 0) {
        val last = codePoints[length - 1]
        if (last < Character.MAX_CODE_POINT) {
            // Surrogates are not characters (UTF-8 cannot encode them): after U+D7FF comes U+E000.
            codePoints[length - 1] =
                if (last + 1 == Character.MIN_SURROGATE.code) Character.MAX_SURROGATE.code + 1 else last + 1
            return String(codePoints, 0, length)
        }
        length--
    }
    return null
}

/** The escape character of [likePrefixPattern]. */
internal const val LIKE_ESCAPE: Char = '\\'

/**
 * A LIKE pattern (escape character [LIKE_ESCAPE]) matching exactly the strings that start with
 * [prefix]: `%`, `_` and the escape character in it are escaped, so none acts as a wildcard.
 */
internal fun likePrefixPattern(prefix: String): String = buildString(prefix.length + 8) {
    for (c in prefix) {
        if (c == '%' || c == '_' || c == LIKE_ESCAPE) append(LIKE_ESCAPE)
        append(c)
    }
    append('%')
}
