package dev.stackquery.internal.sync

import dev.stackquery.internal.persistence.StorageKeys
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull

/**
 * The text form of [SyncMessage]s: `{"v":1,"origin":…,"op":"invalidate"|"set"|"remove"|"reset",
 * "key":[…],"exact":…}`, plus `"entry"` (the persisted envelope) for `set`. `key` is the key's
 * canonical text ([StorageKeys]); `origin` names the sending client, so it can ignore its own.
 */
internal object SyncMessageCodec {
    const val VERSION: Int = 1

    /** A message and the client that sent it. */
    class Received(val origin: String, val message: SyncMessage)

    fun encode(origin: String, message: SyncMessage): String {
        val op = when (message) {
            is SyncMessage.Invalidate -> "invalidate"
            is SyncMessage.Remove -> "remove"
            is SyncMessage.Reset -> "reset"
            is SyncMessage.Set -> "set"
        }
        val out = StringBuilder(64).append("{\"v\":").append(VERSION)
            .append(",\"origin\":").append(JsonPrimitive(origin))
            .append(",\"op\":\"").append(op).append('"')
            .append(",\"key\":").append(message.key.toString())
            .append(",\"exact\":").append(message.exact)
        if (message is SyncMessage.Set) out.append(",\"entry\":").append(JsonPrimitive(message.entry))
        return out.append('}').toString()
    }

    /**
     * The message [text] holds; `null` for another version or an operation this version does
     * not know.
     *
     * @throws Exception when [text] is malformed.
     */
    fun decode(text: String): Received? {
        val json = Json.parseToJsonElement(text) as JsonObject
        if ((json["v"] as JsonPrimitive).content != VERSION.toString()) return null
        val key = StorageKeys.fromJson(json.getValue("key"))
        val exact = (json["exact"] as JsonPrimitive).booleanOrNull ?: false
        val message = when ((json["op"] as JsonPrimitive).content) {
            "invalidate" -> SyncMessage.Invalidate(key, exact)
            "remove" -> SyncMessage.Remove(key, exact)
            "reset" -> SyncMessage.Reset(key, exact)
            "set" -> (json["entry"] as? JsonPrimitive)?.content?.let { SyncMessage.Set(key, it) }
                ?: SyncMessage.Invalidate(key, exact) // no data to take: invalidate instead
            else -> return null
        }
        return Received((json["origin"] as JsonPrimitive).content, message)
    }
}
