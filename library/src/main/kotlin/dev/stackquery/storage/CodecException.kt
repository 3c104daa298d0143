package dev.stackquery.storage

/**
 * A value could not be encoded for storage, or a stored entry could not be decoded (corrupt JSON,
 * an unknown envelope version, a codec that rejects it). A client treats an undecodable entry as
 * missing and deletes it.
 */
public class CodecException @JvmOverloads constructor(
    message: String,
    cause: Throwable? = null,
) : StorageException(message, cause)
