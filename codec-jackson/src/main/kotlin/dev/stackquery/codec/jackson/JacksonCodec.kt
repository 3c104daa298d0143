package dev.stackquery.codec.jackson

import com.fasterxml.jackson.core.JsonProcessingException
import com.fasterxml.jackson.core.type.TypeReference
import com.fasterxml.jackson.databind.JavaType
import com.fasterxml.jackson.databind.ObjectMapper
import dev.stackquery.storage.CodecException
import dev.stackquery.storage.QueryCodec

/**
 * [QueryCodec]s on Jackson 2: a query's data persisted in the L2 tier with the [ObjectMapper] the
 * application already configures (modules, naming, dates). Records, beans, collections and
 * generic types work as Jackson maps them.
 *
 * ```java
 * ObjectMapper mapper = new ObjectMapper();
 * QueryCodec<User> users = JacksonCodec.of(mapper, User.class);                   // a record or a bean
 * QueryCodec<List<User>> lists = JacksonCodec.of(mapper, new TypeReference<List<User>>() { });
 * ```
 *
 * The codec writes compact JSON (what the stored envelope embeds) and reads it back with the same
 * mapper. A value Jackson cannot write or text it cannot read fails with a [CodecException]
 * carrying Jackson's exception (the client logs it with the query's key; an unreadable entry counts
 * as missing and is deleted). Thread-safe as the mapper is (an `ObjectMapper` configured before
 * use is).
 */
public object JacksonCodec {
    /** A codec of [type] (a record, a bean, a `String`…) with [mapper]. */
    @JvmStatic
    public fun <T> of(mapper: ObjectMapper, type: Class<T>): QueryCodec<T> = of(mapper, mapper.constructType(type))

    /** A codec of a generic type, e.g. `new TypeReference<List<User>>() { }`, with [mapper]. */
    @JvmStatic
    public fun <T> of(mapper: ObjectMapper, type: TypeReference<T>): QueryCodec<T> =
        of(mapper, mapper.typeFactory.constructType(type))

    /** A codec of a type Jackson already resolved ([JavaType], from `mapper.getTypeFactory()`), with [mapper]. */
    @JvmStatic
    public fun <T> of(mapper: ObjectMapper, type: JavaType): QueryCodec<T> = JacksonQueryCodec(mapper, type)
}

/** The codec [JacksonCodec] makes: [mapper] writing and reading [type]. */
private class JacksonQueryCodec<T>(private val mapper: ObjectMapper, private val type: JavaType) : QueryCodec<T> {
    override fun encode(value: T): String = try {
        mapper.writeValueAsString(value)
    } catch (e: JsonProcessingException) {
        throw CodecException("Jackson could not write a ${type.toCanonical()}: ${e.originalMessage}", e)
    }

    override fun decode(text: String): T = try {
        mapper.readValue(text, type)
    } catch (e: JsonProcessingException) {
        throw CodecException("Jackson could not read a ${type.toCanonical()}: ${e.originalMessage}", e)
    }

    override fun toString(): String = "JacksonCodec(${type.toCanonical()})"
}
