package dev.stackquery

import dev.stackquery.storage.CodecException
import dev.stackquery.storage.QueryCodec
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray

/**
 * The cached data of an infinite (paginated) query: its [pages] in order, each with the page
 * param it was fetched with ([pageParams], the same size). Immutable; two are equal when their
 * pages and params are. `getQueryData` and `setQueryData` on an infinite query's key read and write
 * an `InfiniteData`.
 *
 * @throws IllegalArgumentException when [pages] and [pageParams] differ in size.
 */
public class InfiniteData<out T, out P>(public val pages: List<T>, public val pageParams: List<P>) {
    init {
        require(pages.size == pageParams.size) {
            "pages and pageParams must have the same size, were ${pages.size} and ${pageParams.size}"
        }
    }

    override fun equals(other: Any?): Boolean =
        other is InfiniteData<*, *> && pages == other.pages && pageParams == other.pageParams

    override fun hashCode(): Int = pages.hashCode() * 31 + pageParams.hashCode()

    override fun toString(): String = "InfiniteData(pages=$pages, pageParams=$pageParams)"

    public companion object {
        /**
         * A codec that persists an infinite query's pages and params as one JSON object
         * (`{"pages":[…],"pageParams":[…]}`), each page with [pageCodec] and each param with
         * [paramCodec] (both must write JSON, as every codec of the L2 tier does).
         */
        @JvmStatic
        public fun <T, P> codec(pageCodec: QueryCodec<T>, paramCodec: QueryCodec<P>): QueryCodec<InfiniteData<T, P>> =
            object : QueryCodec<InfiniteData<T, P>> {
                override fun encode(value: InfiniteData<T, P>): String = buildString {
                    append("{\"pages\":[")
                    value.pages.forEachIndexed { i, page -> if (i > 0) append(','); append(pageCodec.encode(page)) }
                    append("],\"pageParams\":[")
                    value.pageParams.forEachIndexed { i, param ->
                        if (i >
                            0
                        ) {
                            append(',')
                        }; append(paramCodec.encode(param))
                    }
                    append("]}")
                }

                override fun decode(text: String): InfiniteData<T, P> {
                    val json = try {
                        Json.parseToJsonElement(text) as JsonObject
                    } catch (e: Exception) {
                        throw CodecException("not an infinite query's pages: ${e.message}", e)
                    }
                    fun items(name: String): JsonArray =
                        json[name]?.jsonArray ?: throw CodecException("no \"$name\" in an infinite query's pages")
                    return InfiniteData(
                        items("pages").map { pageCodec.decode(it.toString()) },
                        items("pageParams").map { paramCodec.decode(it.toString()) },
                    )
                }
            }
    }
}
