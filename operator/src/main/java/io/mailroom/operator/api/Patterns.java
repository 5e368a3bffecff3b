package io.mailroom.operator.api;

/** Regular expressions of the CRDs' OpenAPI validation. */
public final class Patterns {
    private Patterns() {}

    /** A DNS host or domain name with at least two labels, lower case (RFC 1123 labels). */
    public static final String HOSTNAME =
            "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** A DNS zone name: a {@link #HOSTNAME} or a single label such as a top-level domain. */
    public static final String ZONE =
            "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** An email address whose domain is a {@link #HOSTNAME}; the local part as the account store accepts it. */
    public static final String ADDRESS =
            "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*@([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** A Kubernetes object name (RFC 1123 label). */
    public static final String DNS_LABEL_NAME = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** A DKIM selector. */
    public static final String SELECTOR = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
    public static final String IP_ADDRESS = "^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)$";
}
