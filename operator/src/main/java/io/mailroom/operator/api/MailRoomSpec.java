package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** What a user declares for an installation; everything but the host names and the TLS Secret has a default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailRoomSpec {
    @Required
    @JsonPropertyDescription("Public host names of the installation")
    public Hostnames hostnames;

    @Required
    @JsonPropertyDescription("TLS certificate of the public host names")
    public TlsSpec tls;

    @JsonPropertyDescription("How the public ports (25, 465, 587, 993) are exposed")
    public ExposeSpec expose;

    @JsonPropertyDescription("Image and replicas of each component")
    public Components components;

    @JsonPropertyDescription("Persistent volumes of mail, the outbound queue and Redis")
    public StorageSpec storage;

    @JsonPropertyDescription("Which message authentication checks the Inbox applies")
    public ChecksSpec checks;

    public RspamdSpec rspamd;

    public ResolverSpec resolver;

    public BackupSpec backup;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Hostnames {
        @Required
        @Pattern(Patterns.HOSTNAME)
        @JsonPropertyDescription("Host name of the MX (the Inbox), e.g. mx.example.com")
        public String mx;

        @Required
        @Pattern(Patterns.HOSTNAME)
        @JsonPropertyDescription("Host name mail clients submit to and read from (Outbox, Dovecot)")
        public String submission;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TlsSpec {
        @Required
        @Pattern(Patterns.DNS_LABEL_NAME)
        @JsonPropertyDescription("Secret of type kubernetes.io/tls (tls.crt, tls.key), e.g. written by cert-manager")
        public String secretName;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ExposeSpec {
        @JsonPropertyDescription("Service type of the public ports: LoadBalancer (default) or NodePort")
        public ServiceKind type;

        @JsonPropertyDescription("Annotations for the public Services (e.g. for a load balancer controller)")
        public java.util.Map<String, String> annotations;
    }

    public enum ServiceKind { LoadBalancer, NodePort }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Components {
        public ComponentSpec inbox;
        public ComponentSpec outbox;
        public ComponentSpec controller;
        public ComponentSpec dovecot;
        public ComponentSpec rspamd;
        public ComponentSpec redis;
        public ComponentSpec unbound;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ComponentSpec {
        @JsonPropertyDescription("Container image; empty means the project's own (./mailroom images). Another "
                + "image must keep its users, paths and tools: the generated configuration assumes them")
        public String image;

        @io.fabric8.generator.annotation.Min(0)
        @io.fabric8.generator.annotation.Max(20)
        @JsonPropertyDescription("Number of pods (Redis and Dovecot run one)")
        public Integer replicas;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StorageSpec {
        public VolumeSpec mail;
        public VolumeSpec queue;
        public VolumeSpec redis;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeSpec {
        @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
        @JsonPropertyDescription("Size of the volume, e.g. 10Gi")
        public String size;

        @JsonPropertyDescription("StorageClass of the volume; the cluster default when empty")
        public String storageClass;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ChecksSpec {
        public CheckMode spf;
        public CheckMode dkim;
        public CheckMode arc;
        public CheckMode dmarc;

        @JsonPropertyDescription("ARC sealer domains (ARC-Seal d=) whose valid chain may excuse a DMARC failure of a"
                + " forwarded message (RFC 8617 7.2); empty: an ARC pass is recorded, never trusted")
        // each one becomes part of an environment value: a host name only, nothing else
        public java.util.List<@Pattern(Patterns.HOSTNAME) String> arcTrustedSealers;
    }

    /** What the Inbox does with a check's failure: nothing, an Authentication-Results tag, or a rejection. */
    public enum CheckMode { off, tag, enforce }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RspamdSpec {
        @JsonPropertyDescription("Scan incoming mail with Rspamd (default true)")
        public Boolean enabled;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ResolverSpec {
        @JsonPropertyDescription("Upstream resolvers Unbound forwards to; empty means full recursion")
        // each one becomes a line of unbound.conf: an address only, nothing that could add a directive
        public java.util.List<@Pattern(Patterns.IP_ADDRESS) String> forwarders;

        @JsonPropertyDescription("Validate DNSSEC (default true; DANE needs it)")
        public Boolean dnssec;

        @JsonPropertyDescription("Private zones your forwarders serve: resolved without DNSSEC validation (they "
                + "are unsigned under a signed parent) and even where Unbound answers nothing by default (RFC 6761 "
                + "names such as .test, private reverse zones)")
        // each one becomes lines of unbound.conf: a zone name only, nothing that could add a directive
        public java.util.List<@Pattern(Patterns.ZONE) String> privateDomains;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class BackupSpec {
        @Pattern("^(@(hourly|daily|weekly|monthly)|([^ ]+ ){4}[^ ]+)$")
        @JsonPropertyDescription("Cron schedule of the backup CronJob, e.g. '0 3 * * *'; no backup when empty")
        public String schedule;

        @JsonPropertyDescription("Where archives go: a PVC of the namespace (pvc:NAME) or an rclone remote (rclone:REMOTE:PATH)")
        @Pattern("^(pvc:[a-z0-9]([-a-z0-9]*[a-z0-9])?|rclone:[A-Za-z0-9_-]+:.*)$")
        public String target;

        @Pattern(Patterns.DNS_LABEL_NAME)
        @JsonPropertyDescription("Secret with the OpenPGP public key (key public.asc) archives are encrypted to; required for backups")
        public String encryptionKeySecret;

        @Pattern(Patterns.DNS_LABEL_NAME)
        @JsonPropertyDescription("Secret with an rclone.conf (key rclone.conf) for rclone targets")
        public String rcloneConfigSecret;
    }
}
