package io.mailroom.operator.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailDomainStatus;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.domain.DkimSecrets;
import io.mailroom.operator.domain.MailDomainKeys;
import io.mailroom.operator.api.Patterns;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.kube.ResourceApplier;
import io.mailroom.operator.kube.SecretData;
import io.mailroom.operator.mailroom.InstallationSecrets;
import io.mailroom.operator.mailroom.MailRoomManifests;
import io.mailroom.operator.mailroom.MailRoomNames;
import io.mailroom.operator.mailroom.ServiceAddresses;
import io.mailroom.operator.podman.Podman;
import io.mailroom.operator.podman.PodmanKubelet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./mailroom deploy}: a MailRoom on one host, no cluster. The objects are the operator's own
 * ({@link MailRoomManifests}, rendered offline), run on podman by {@link PodmanKubelet} with restart
 * policy {@code always}: the same manifests serve a single server and a cluster.
 *
 * <p>What a cluster would do and one host does differently: every workload runs one replica (a host port
 * can be published once); public Services publish their ports on the host; the Controller's port is
 * published on 127.0.0.1 only; Service cluster IPs are fixed addresses on the installation's podman
 * network; the backup CronJob is rendered but not scheduled. MailDomains in the file get their DKIM keys and
 * their entry in the account store as the MailDomain reconciler gives them; users are made with
 * {@code mailroom-cli} through the Controller.
 */
public final class SingleHostDeploy {
    static final String LABEL = "io.mailroom.deploy";
    /** Start order: what others need first. */
    static final List<String> ORDER = List.of("redis", "unbound", "dovecot", "rspamd", "controller", "inbox",
            "outbox");

    private final Podman podman;
    private final Path state;

    SingleHostDeploy(Podman podman, Path state) {
        this.podman = podman;
        this.state = state;
    }

    /** A problem the user can fix: printed as one line, exit code 2, nothing started. */
    static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (UserError e) {
            System.err.println("mailroom deploy: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args) {
        if (args.length < 2) {
            throw new UserError("usage: deploy --conf CONTAINERS_CONF --state DIR up FILE [--address A] "
                    + "[--port NAME=PORT]... | status | down [--purge]");
        }
        Path conf = null;
        Path stateDir = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--conf" -> conf = Path.of(args[++i]);
                case "--state" -> stateDir = Path.of(args[++i]);
                default -> rest.add(args[i]);
            }
        }
        if (conf == null || stateDir == null || rest.isEmpty()) {
            throw new UserError("--conf and --state are required");
        }
        SingleHostDeploy d = new SingleHostDeploy(new Podman(conf), stateDir);
        String command = rest.remove(0);
        return switch (command) {
            case "up" -> d.up(rest);
            case "status" -> d.status();
            case "down" -> d.down(rest.contains("--purge"));
            default -> throw new UserError("unknown command '" + command + "' (up, status, down)");
        };
    }

    // ------------------------------------------------------------------ up

    int up(List<String> args) {
        if (args.isEmpty()) {
            throw new UserError("up needs a MailRoom file, e.g. ./mailroom deploy k8s/examples/mailroom.yaml");
        }
        Path file = Path.of(args.get(0));
        String address = "0.0.0.0";
        Map<String, Integer> portOverrides = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--address") && i + 1 < args.size()) {
                address = args.get(++i);
            } else if (args.get(i).equals("--port") && i + 1 < args.size()) {
                String[] kv = args.get(++i).split("=", 2);
                if (kv.length != 2 || !kv[1].matches("\\d{1,5}")) {
                    throw new UserError("--port wants NAME=PORT, e.g. --port smtp=2525; got " + args.get(i));
                }
                portOverrides.put(kv[0], Integer.parseInt(kv[1]));
            } else {
                throw new UserError("unknown argument " + args.get(i));
            }
        }
        Installation inst = Installation.read(file);
        MailRoom mr = inst.mailRoom();
        String name = mr.getMetadata().getName();
        OperatorSettings settings = OperatorSettings.defaults();
        for (String image : images(settings)) {
            if (!podman.imageExists(image)) {
                throw new UserError("image " + image + " is missing; build the images first: ./mailroom images");
            }
        }
        Path dir = state.resolve(name);
        mkdirPrivate(dir);
        Map<String, Secret> secrets = new LinkedHashMap<>(inst.secrets());
        secrets.computeIfAbsent(mr.getSpec().tls.secretName, n -> tlsSecret(dir, mr));
        Secret ca = kept(dir, "ca", () -> InstallationSecrets.ca(mr));
        Secret token = kept(dir, "controller-token", () -> InstallationSecrets.controllerToken(mr));
        secrets.put(ca.getMetadata().getName(), ca);
        secrets.put(token.getMetadata().getName(), token);
        Secret outboxAdmin = kept(dir, "outbox-admin-token", () -> InstallationSecrets.outboxAdminToken(mr));
        secrets.put(outboxAdmin.getMetadata().getName(), outboxAdmin);
        // each MailDomain's DKIM keys, made once and kept like the Secret the operator makes
        List<MailDomain> domains = new ArrayList<>();
        for (MailDomain md : inst.domains()) {
            if (md.getSpec().mailRoom != null && !md.getSpec().mailRoom.equals(name)) {
                continue;
            }
            Secret dkim = kept(dir, DkimSecrets.secretName(md), () -> new SecretBuilder().withNewMetadata()
                    .withName(DkimSecrets.secretName(md)).withNamespace(mr.getMetadata().getNamespace()).endMetadata()
                    .withType("Opaque").withData(MailDomainKeys.ensure(md, Map.of()).secretData()).build());
            secrets.put(dkim.getMetadata().getName(), dkim);
            md.setStatus(new MailDomainStatus());
            md.getStatus().dkimSecret = dkim.getMetadata().getName();
            domains.add(md);
        }
        writePrivate(dir.resolve("controller.token"), SecretData.decode(token.getData().get("token")));

        // re-deploying replaces the running containers (the same names), so their ports are ours to take
        MailRoomManifests manifests = new MailRoomManifests(settings);
        List<Service> services = manifests.services(mr);
        removeContainers(name);
        for (Service s : services) {
            hostPorts(s, address, portOverrides).forEach(SingleHostDeploy::ensureFree);
        }
        String network = network(name, dir);
        String prefix = read(dir.resolve("network-prefix")).strip();
        Map<String, String> ips = new LinkedHashMap<>();
        for (int i = 0; i < services.size(); i++) {
            ips.put(services.get(i).getMetadata().getName(), prefix + "." + (10 + i));
        }
        MailRoomNames names = MailRoomNames.of(name);
        ServiceAddresses addresses = ServiceAddresses.of(ips.get(names.redis()),
                ips.get(names.of(io.mailroom.operator.mailroom.Component.UNBOUND)));
        String tlsHash = ResourceApplier.sha256(secrets.get(mr.getSpec().tls.secretName).getData().get("tls.crt"))
                .substring(0, 16);
        List<HasMetadata> objects = manifests.build(mr, domains, tlsHash, addresses);
        Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
        objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .forEach(c -> configMaps.put(c.getMetadata().getName(), c));

        List<Pod> pods = pods(objects, services, ips, network, address, portOverrides);
        KubernetesList rendered = new KubernetesListBuilder().withItems(objects).build();
        writePrivate(dir.resolve("objects.yaml"), Serialization.asYaml(rendered));

        PodmanKubelet kubelet = new PodmanKubelet(podman, dir.resolve("volumes"), Map.of(LABEL, name));
        PodmanKubelet.ObjectSource source = new PodmanKubelet.ObjectSource() {
            @Override
            public Optional<ConfigMap> configMap(String n) {
                return Optional.ofNullable(configMaps.get(n));
            }

            @Override
            public Optional<Secret> secret(String n) {
                return Optional.ofNullable(secrets.get(n));
            }
        };
        for (Pod p : pods) {
            Instant start = Instant.now();
            System.out.printf("==> starting %s%n", p.name());
            PodmanKubelet.Pod pod = kubelet.start(p.name(), p.template().getSpec(), p.claims(), p.attachment(),
                    source, "always");
            if (!kubelet.awaitReady(pod, Duration.ofMinutes(5))) {
                System.err.println(kubelet.logs(p.name()));
                throw new UserError(p.name() + " did not become ready (its log is above); "
                        + "./mailroom deploy down stops what was started");
            }
            System.out.printf("    %s ready in %.1f s (%s)%n", p.name(),
                    Duration.between(start, Instant.now()).toMillis() / 1000.0, pod.ip());
            if ("redis".equals(p.component())) {
                register(domains, secrets, addresses.redisAddress(), settings);
            }
        }
        System.out.println();
        status();
        System.out.printf("%nMail Room '%s' runs on this host. Controller token: %s%n", name,
                dir.resolve("controller.token"));
        int controllerPort = portOverrides.getOrDefault("controller", 6804);
        System.out.printf("  export MAILROOM_URL=http://127.0.0.1:%d MAILROOM_TOKEN_FILE=%s%n", controllerPort,
                dir.resolve("controller.token"));
        System.out.println("  ./cli/mailroom-cli add-domain <your domain>   # then dns-records, create-user");
        return 0;
    }

    /** What the MailDomain reconciler does in the store: the domain and its DKIM public keys. */
    private static void register(List<MailDomain> domains, Map<String, Secret> secrets, String redisIp,
            OperatorSettings settings) {
        if (domains.isEmpty()) {
            return;
        }
        try (RedisConnections redis = RedisConnections.open("redis://" + redisIp + ":6379")) {
            AccountStore store = new AccountStore(redis.dataSource(),
                    new StoreSettings(settings.mailRoot(), '+', settings.bcryptCost()));
            for (MailDomain md : domains) {
                Secret dkim = secrets.get(md.getStatus().dkimSecret);
                MailDomainKeys.register(store, md, MailDomainKeys.ensure(md, dkim.getData()).keys());
                System.out.printf("    domain %s registered (DKIM selectors %s); ./cli/mailroom-cli dns-records %s "
                        + "prints its DNS records%n", md.getSpec().domain, DkimSecrets.selectors(md),
                        md.getSpec().domain);
            }
        }
    }

    /** A pod to start: one per workload on one host. */
    record Pod(String name, String component, PodTemplateSpec template, Map<String, String> claims,
            PodmanKubelet.Attachment attachment) {}

    private List<Pod> pods(List<HasMetadata> objects, List<Service> services, Map<String, String> ips,
            String network, String address, Map<String, Integer> portOverrides) {
        List<Pod> out = new ArrayList<>();
        for (HasMetadata o : objects) {
            PodTemplateSpec template;
            Map<String, String> claims = new LinkedHashMap<>();
            String workload = o.getMetadata().getName();
            if (o instanceof Deployment d) {
                template = d.getSpec().getTemplate();
            } else if (o instanceof StatefulSet s) {
                template = s.getSpec().getTemplate();
                s.getSpec().getVolumeClaimTemplates().forEach(c -> claims.put(c.getMetadata().getName(),
                        c.getMetadata().getName() + "-" + workload + "-0"));
            } else {
                continue;
            }
            Map<String, String> labels = template.getMetadata().getLabels();
            List<String> aliases = new ArrayList<>();
            List<String> ownIps = new ArrayList<>();
            List<PodmanKubelet.HostPort> hostPorts = new ArrayList<>();
            String ns = o.getMetadata().getNamespace() == null ? "default" : o.getMetadata().getNamespace();
            for (Service s : services) {
                if (!PodmanKubelet.selects(s, labels)) {
                    continue;
                }
                String n = s.getMetadata().getName();
                aliases.addAll(PodmanKubelet.serviceNames(n, ns));
                ownIps.add(ips.get(n));
                hostPorts.addAll(hostPorts(s, address, portOverrides));
            }
            // one IP per container: the first Service's; the others are reached by name
            Optional<String> ip = ownIps.isEmpty() ? Optional.empty() : Optional.of(ownIps.get(0));
            out.add(new Pod(workload + "-0", labels.get(MailRoomManifests.COMPONENT), template, claims,
                    new PodmanKubelet.Attachment(network, ip, aliases, hostPorts)));
        }
        out.sort(java.util.Comparator.comparingInt(p -> ORDER.indexOf(p.component())));
        return out;
    }

    /** Public Services publish their ports on the host; the Controller's API only on loopback, for the admin. */
    private static List<PodmanKubelet.HostPort> hostPorts(Service s, String address, Map<String, Integer> overrides) {
        List<PodmanKubelet.HostPort> out = new ArrayList<>();
        boolean external = !"ClusterIP".equals(s.getSpec().getType());
        boolean controller = "controller".equals(s.getMetadata().getLabels().get(MailRoomManifests.COMPONENT));
        for (ServicePort p : s.getSpec().getPorts()) {
            if (external) {
                out.add(new PodmanKubelet.HostPort(address, overrides.getOrDefault(p.getName(), p.getPort()),
                        p.getTargetPort().getIntVal(), p.getProtocol()));
            } else if (controller) {
                out.add(new PodmanKubelet.HostPort("127.0.0.1", overrides.getOrDefault("controller", p.getPort()),
                        p.getTargetPort().getIntVal(), p.getProtocol()));
            }
        }
        return out;
    }

    private static void ensureFree(PodmanKubelet.HostPort hp) {
        if (!"tcp".equalsIgnoreCase(hp.protocol())) {
            return;
        }
        try (ServerSocket s = new ServerSocket(hp.hostPort(), 1, InetAddress.getByName(hp.hostAddress()))) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new UserError("port " + hp.hostPort() + " on " + hp.hostAddress() + " is already taken by another "
                    + "program (" + e.getMessage() + "); stop it, or publish elsewhere with --port NAME=PORT; "
                    + "nothing was started");
        }
    }

    // ------------------------------------------------------------------ status, down, backup

    int status() {
        List<String> rows = new ArrayList<>();
        for (String name : installations()) {
            podman.check("ps", "-a", "--filter", "label=" + LABEL + "=" + name, "--format",
                    "{{.Names}}\t{{.Status}}\t{{.Ports}}").lines().filter(l -> !l.isBlank()).sorted()
                    .forEach(rows::add);
        }
        if (rows.isEmpty()) {
            System.out.println("nothing deployed");
            return 0;
        }
        System.out.printf("%-24s %-28s %s%n", "POD", "STATUS", "PORTS");
        for (String r : rows) {
            String[] f = r.split("\t", -1);
            System.out.printf("%-24s %-28s %s%n", f[0], f.length > 1 ? f[1] : "", f.length > 2 ? f[2] : "");
        }
        return 0;
    }

    /** The installations deployed from this state directory (and only those: others on the host are not ours). */
    private List<String> installations() {
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        try (var dirs = Files.list(state)) {
            return dirs.filter(d -> Files.exists(d.resolve("objects.yaml"))).map(d -> d.getFileName().toString())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int down(boolean purge) {
        List<String> installations = installations();
        if (installations.isEmpty()) {
            System.out.println("nothing deployed");
            return 0;
        }
        for (String name : installations) {
            System.out.println("==> stopping Mail Room '" + name + "'");
            removeContainers(name);
            podman.exec("network", "rm", "-f", "mailroom-" + name);
            Path objects = state.resolve(name).resolve("objects.yaml");
            if (purge) {
                for (String v : claimVolumes(objects)) {
                    podman.exec("volume", "rm", "-f", v);
                    System.out.println("    removed volume " + v);
                }
                deleteTree(state.resolve(name));
            } else {
                System.out.println("    volumes kept (mail, queue, Redis): " + String.join(", ", claimVolumes(objects))
                        + "; --purge deletes them");
            }
        }
        return 0;
    }

    private List<String> claimVolumes(Path objects) {
        if (!Files.exists(objects)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        KubernetesList list = Serialization.unmarshal(read(objects), KubernetesList.class);
        for (HasMetadata o : list.getItems()) {
            if (o instanceof StatefulSet s) {
                s.getSpec().getVolumeClaimTemplates().forEach(c -> out.add(c.getMetadata().getName() + "-"
                        + s.getMetadata().getName() + "-0"));
            }
        }
        return out;
    }

    private void removeContainers(String name) {
        for (String c : podman.check("ps", "-a", "-q", "--filter", "label=" + LABEL + "=" + name).lines().toList()) {
            if (!c.isBlank()) {
                podman.exec("rm", "-f", "-t", "10", c.strip());
            }
        }
    }

    /**
     * The installation's own podman network, kept across deploys so that its addresses stay. Not internal:
     * the Outbox delivers to the Internet and Unbound resolves there.
     */
    private String network(String name, Path dir) {
        String network = "mailroom-" + name;
        Path prefixFile = dir.resolve("network-prefix");
        if (podman.exec("network", "exists", network).ok() && Files.exists(prefixFile)) {
            return network;
        }
        podman.exec("network", "rm", "-f", network);
        Set<String> used = podman.usedPrefixes();
        for (int i = 10; i < 120; i++) {
            String prefix = "10.89." + i;
            if (!used.contains(prefix)) {
                podman.check("network", "create", "--subnet", prefix + ".0/24", "--label", LABEL + "=" + name, network);
                writePrivate(prefixFile, prefix);
                return network;
            }
        }
        throw new UserError("no free 10.89.x.0/24 subnet for the installation's network");
    }

    // ------------------------------------------------------------------ secrets kept on the host

    /** A Secret made once and kept in the state directory, like a Secret the operator creates once. */
    private static Secret kept(Path dir, String name, java.util.function.Supplier<Secret> make) {
        Path file = dir.resolve(name + ".secret.yaml");
        if (Files.exists(file)) {
            return Serialization.unmarshal(read(file), Secret.class);
        }
        Secret s = make.get();
        writePrivate(file, Serialization.asYaml(s));
        return s;
    }

    /**
     * The TLS Secret from {@code tls/} of the state directory. Without a Secret in the file and without
     * those files, a self-signed certificate for the MailRoom's host names is made there first (openssl), so
     * that a first deploy works; replacing the two files and deploying again puts a real one in place.
     */
    private static Secret tlsSecret(Path dir, MailRoom mr) {
        Path crt = dir.resolve("tls/tls.crt");
        Path key = dir.resolve("tls/tls.key");
        if (!Files.exists(crt) || !Files.exists(key)) {
            mkdirPrivate(dir.resolve("tls"));
            String mx = mr.getSpec().hostnames.mx;
            String submission = mr.getSpec().hostnames.submission;
            try {
                Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        "365", "-subj", "/CN=" + mx, "-addext", "subjectAltName=DNS:" + mx + ",DNS:" + submission,
                        "-keyout", key.toString(), "-out", crt.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new UserError("openssl could not make a self-signed certificate: " + out.strip());
                }
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new UserError("openssl is needed for a self-signed certificate: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            System.out.printf("==> no Secret '%s' in the file: made a self-signed certificate for %s and %s in %s;%n"
                    + "    put your real certificate there (tls.crt, tls.key) and deploy again%n",
                    mr.getSpec().tls.secretName, mx, submission, crt.getParent());
        }
        return new SecretBuilder().withNewMetadata().withName(mr.getSpec().tls.secretName)
                .withNamespace(mr.getMetadata().getNamespace()).endMetadata().withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", SecretData.encode(read(crt)), "tls.key", SecretData.encode(read(key))))
                .build();
    }

    static List<String> images(OperatorSettings s) {
        return ORDER.stream().map(c -> s.imageRegistry() + "/" + c + ":" + s.imageTag()).toList();
    }

    private static void mkdirPrivate(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePrivate(Path file, String text) {
        try {
            Files.writeString(file, text);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The user's file: one MailRoom, and optionally the Secrets it names (TLS, backup key). */
    record Installation(MailRoom mailRoom, Map<String, Secret> secrets, List<MailDomain> domains) {
        static Installation read(Path file) {
            if (!Files.isRegularFile(file)) {
                throw new UserError(file + ": no such file");
            }
            List<MailRoom> rooms = new ArrayList<>();
            List<MailDomain> domains = new ArrayList<>();
            Map<String, Secret> secrets = new LinkedHashMap<>();
            String text = SingleHostDeploy.read(file);
            int n = 0;
            for (String doc : text.split("(?m)^---\\s*$")) {
                if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                    continue;
                }
                n++;
                GenericKubernetesResource g;
                try {
                    g = Serialization.unmarshal(doc, GenericKubernetesResource.class);
                } catch (RuntimeException e) {
                    throw new UserError(file + ": document " + n + " is not valid YAML: " + firstLine(e));
                }
                if (g == null || g.getKind() == null) {
                    throw new UserError(file + ": document " + n + " has no kind");
                }
                try {
                    switch (g.getKind()) {
                        case "MailRoom" -> rooms.add(Serialization.unmarshal(doc, MailRoom.class));
                        case "MailDomain" -> {
                            MailDomain md = Serialization.unmarshal(doc, MailDomain.class);
                            if (md.getSpec() == null || md.getSpec().domain == null
                                    || !md.getSpec().domain.matches(Patterns.HOSTNAME)) {
                                throw new UserError(file + ": MailDomain " + md.getMetadata().getName()
                                        + ": spec.domain must be a domain name such as example.com");
                            }
                            domains.add(md);
                        }
                        case "Secret" -> {
                            Secret s = Serialization.unmarshal(doc, Secret.class);
                            secrets.put(s.getMetadata().getName(), withData(s));
                        }
                        default -> { } // MailUser, ClientCertificate: through mailroom-cli on one host
                    }
                } catch (RuntimeException e) {
                    throw new UserError(file + ": document " + n + " (" + g.getKind() + ") does not fit its schema: "
                            + firstLine(e));
                }
            }
            if (rooms.size() != 1) {
                throw new UserError(file + ": expected exactly one MailRoom, found " + rooms.size());
            }
            MailRoom mr = rooms.get(0);
            validate(file, mr);
            return new Installation(mr, secrets, domains);
        }

        private static Secret withData(Secret s) {
            Map<String, String> data = new LinkedHashMap<>(s.getData() == null ? Map.of() : s.getData());
            if (s.getStringData() != null) {
                s.getStringData().forEach((k, v) -> data.put(k, SecretData.encode(v)));
            }
            s.setData(data);
            s.setStringData(null);
            return s;
        }

        /** The checks the CRD's schema makes in a cluster, for the fields one host needs. */
        private static void validate(Path file, MailRoom mr) {
            String where = file + ": MailRoom";
            if (mr.getMetadata() == null || mr.getMetadata().getName() == null
                    || !mr.getMetadata().getName().matches(Patterns.DNS_LABEL_NAME)) {
                throw new UserError(where + ": metadata.name must be a DNS label (lower case, digits, '-')");
            }
            if (mr.getSpec() == null) {
                throw new UserError(where + ": spec is missing");
            }
            if (mr.getSpec().hostnames == null) {
                throw new UserError(where + ": spec.hostnames (mx, submission) is missing");
            }
            for (var h : Map.of("mx", Optional.ofNullable(mr.getSpec().hostnames.mx),
                    "submission", Optional.ofNullable(mr.getSpec().hostnames.submission)).entrySet()) {
                if (h.getValue().isEmpty() || !h.getValue().get().matches(Patterns.HOSTNAME)) {
                    throw new UserError(where + ": spec.hostnames." + h.getKey() + " must be a host name such as "
                            + "mx.example.com, got " + h.getValue().orElse("nothing"));
                }
            }
            if (mr.getSpec().tls == null || mr.getSpec().tls.secretName == null
                    || !mr.getSpec().tls.secretName.matches(Patterns.DNS_LABEL_NAME)) {
                throw new UserError(where + ": spec.tls.secretName must name the TLS Secret");
            }
            if (mr.getMetadata().getNamespace() == null) {
                mr.getMetadata().setNamespace("default");
            }
        }

        private static String firstLine(RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return m.lines().findFirst().orElse(m);
        }
    }
}
