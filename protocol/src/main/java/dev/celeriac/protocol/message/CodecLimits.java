package dev.celeriac.protocol.message;

/**
 * Limits that protect a decoder from hostile or broken messages.
 *
 * @param maxBodyBytes largest body accepted, in bytes
 * @param maxNestingDepth deepest nesting of JSON arrays and objects accepted
 * @param maxStringLength longest JSON string accepted, in characters
 */
public record CodecLimits(int maxBodyBytes, int maxNestingDepth, int maxStringLength) {

    /** 10 MiB bodies, 64 levels of nesting, 5 million characters per string. */
    public static final CodecLimits DEFAULTS = new CodecLimits(10 * 1024 * 1024, 64, 5_000_000);

    public CodecLimits {
        if (maxBodyBytes <= 0 || maxNestingDepth <= 0 || maxStringLength <= 0) {
            throw new IllegalArgumentException(
                    "codec limits must be positive: " + maxBodyBytes + ", " + maxNestingDepth + ", " + maxStringLength);
        }
    }
}
