package io.mailroom.operator.podman;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs a pod template as a podman container, the way a kubelet runs it on a node: for a single host
 * ({@code ./mailroom deploy}) and for the tests that run the operator's output. One container per pod
 * (every Mail Room pod has one).
 *
 * <p>Honoured, as Kubernetes defines them: {@code command}/{@code args} (command replaces the image's
 * entrypoint and its CMD), {@code env} (values, ConfigMap and Secret key references), {@code envFrom};
 * {@code runAsUser}, {@code runAsGroup}, {@code fsGroup} (volume group ownership and modes as the kubelet
 * sets them: read-only volumes {@code g+r}, writable ones {@code g+rwX} and setgid), {@code runAsNonRoot}
 * (refused when the user would be root), {@code readOnlyRootFilesystem} (no implicit tmpfs),
 * {@code capabilities}, {@code allowPrivilegeEscalation}, pod {@code sysctls}; ConfigMap, Secret and
 * projected volumes (items, {@code defaultMode}, per-item modes, {@code optional}) mounted read-only,
 * emptyDirs, PVCs as podman volumes; readiness and liveness probes ({@code httpGet} and {@code tcpSocket}
 * from the node, i.e. this host, to the pod's IP; {@code exec} inside the container) with their delays,
 * periods, timeouts and thresholds. Seccomp {@code RuntimeDefault} is podman's default profile.
 *
 * <p>Not honoured (no effect on one host): resources, affinity, tolerations, service accounts, image pull
 * policy (images are local), {@code hostname}/{@code subdomain}.
 */
public final class PodmanKubelet {
    /** Where ConfigMaps and Secrets come from: the API server, or the rendered objects on a single host. */
    public interface ObjectSource {
        Optional<ConfigMap> configMap(String name);

        Optional<Secret> secret(String name);
    }

    /**
     * How a pod is attached: its network, a fixed IP (a Service's cluster IP), DNS aliases, host ports, its
     * namespace (for {@code fieldRef: metadata.namespace}) and the variables a kubelet adds (e.g. where the
     * API server is).
     */
    public record Attachment(String network, Optional<String> ip, List<String> aliases, List<HostPort> hostPorts,
            String namespace, Map<String, String> kubeletEnv) {
        public Attachment(String network, Optional<String> ip, List<String> aliases, List<HostPort> hostPorts) {
            this(network, ip, aliases, hostPorts, "default", Map.of());
        }
    }

    /** A container port published on the host, e.g. 0.0.0.0:25 for a LoadBalancer Service on one host. */
    public record HostPort(String hostAddress, int hostPort, int containerPort, String protocol) {}

    /** A started pod. */
    public record Pod(String name, String container, String ip, PodSpec spec) {}

    private final Podman podman;
    private final Path volumeRoot;
    private final Map<String, String> containerLabels;

    /**
     * @param volumeRoot      where the files of ConfigMap, Secret, projected volumes and emptyDirs are kept
     * @param containerLabels labels put on every container (to find them for status and removal)
     */
    public PodmanKubelet(Podman podman, Path volumeRoot, Map<String, String> containerLabels) {
        this.podman = podman;
        this.volumeRoot = volumeRoot;
        this.containerLabels = containerLabels;
    }

    public Podman podman() {
        return podman;
    }

    /**
     * Starts the pod {@code name} (its container is called the same). Any container of that name is
     * replaced, as a new pod replaces an old one.
     *
     * @param claims        volume name to podman volume, for PVC volumes and StatefulSet claim templates
     * @param restartPolicy podman's restart policy ({@code no}, {@code always}, {@code on-failure})
     */
    public Pod start(String name, PodSpec spec, Map<String, String> claims, Attachment attachment,
            ObjectSource objects, String restartPolicy) {
        if (spec.getContainers().size() != 1) {
            throw new IllegalArgumentException(name + ": only single-container pods are supported");
        }
        Container c = spec.getContainers().get(0);
        PodSecurityContext psc = spec.getSecurityContext() == null ? new PodSecurityContext()
                : spec.getSecurityContext();
        SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
        Long uid = first(sc.getRunAsUser(), psc.getRunAsUser());
        Long gid = first(sc.getRunAsGroup(), psc.getRunAsGroup());
        Long fsGroup = psc.getFsGroup();
        boolean nonRoot = Boolean.TRUE.equals(first(sc.getRunAsNonRoot(), psc.getRunAsNonRoot()));
        if (nonRoot && (uid == null ? imageUid(c.getImage()) : uid) == 0) {
            throw new IllegalStateException(name + ": runAsNonRoot is set but the container would run as root");
        }
        podman.exec("rm", "-f", "-t", "10", name);

        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", attachment.network()));
        attachment.ip().ifPresent(ip -> args.addAll(List.of("--ip", ip)));
        attachment.aliases().forEach(a -> args.addAll(List.of("--network-alias", a)));
        for (HostPort p : attachment.hostPorts()) {
            args.addAll(List.of("--publish", p.hostAddress() + ":" + p.hostPort() + ":" + p.containerPort() + "/"
                    + p.protocol().toLowerCase()));
        }
        args.addAll(List.of("--restart", restartPolicy, "--hostname", name));
        containerLabels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
        args.addAll(List.of("--label", "io.mailroom.pod=" + name));
        if (uid != null) {
            args.addAll(List.of("--user", uid + (gid == null ? "" : ":" + gid)));
        }
        if (fsGroup != null) {
            args.addAll(List.of("--group-add", String.valueOf(fsGroup)));
        }
        if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
            args.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        }
        if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            args.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        if (Boolean.TRUE.equals(sc.getPrivileged())) {
            throw new IllegalStateException(name + ": privileged containers are not run");
        }
        if (sc.getCapabilities() != null) {
            nullToEmpty(sc.getCapabilities().getDrop()).forEach(cap -> args.addAll(List.of("--cap-drop", cap)));
            nullToEmpty(sc.getCapabilities().getAdd()).forEach(cap -> args.addAll(List.of("--cap-add", cap)));
        }
        nullToEmpty(psc.getSysctls()).forEach(s -> args.addAll(List.of("--sysctl", s.getName() + "=" + s.getValue())));
        Map<String, String> env = new LinkedHashMap<>(attachment.kubeletEnv());
        env.putAll(environment(name, c, objects, Map.of("metadata.namespace", attachment.namespace(),
                "metadata.name", name, "spec.nodeName", "localhost")));
        for (Map.Entry<String, String> e : env.entrySet()) {
            args.addAll(List.of("--env", e.getKey() + "=" + e.getValue()));
        }
        Map<String, Volume> volumes = new LinkedHashMap<>();
        nullToEmpty(spec.getVolumes()).forEach(v -> volumes.put(v.getName(), v));
        for (VolumeMount m : nullToEmpty(c.getVolumeMounts())) {
            args.addAll(List.of("--volume", mount(name, m, volumes.get(m.getName()), claims, fsGroup, objects)));
        }
        if (c.getCommand() != null && !c.getCommand().isEmpty()) {
            // Kubernetes: command replaces ENTRYPOINT and drops the image's CMD; args alone replace CMD
            args.addAll(List.of("--entrypoint", json(c.getCommand())));
        }
        args.add(c.getImage());
        args.addAll(nullToEmpty(c.getArgs()));
        Podman.Result r = podman.exec(Duration.ofMinutes(2), args);
        if (!r.ok()) {
            throw new IllegalStateException("pod " + name + " did not start: " + r.output());
        }
        String ip = podman.check("inspect", "-f",
                "{{(index .NetworkSettings.Networks \"" + attachment.network() + "\").IPAddress}}", name);
        return new Pod(name, name, ip, spec);
    }

    /** Stops and removes a pod's container. */
    public void remove(String name) {
        podman.exec("rm", "-f", "-t", "10", name);
    }

    public String logs(String name) {
        return podman.exec(Duration.ofSeconds(30), List.of("logs", "--tail", "200", name)).output();
    }

    public boolean running(String name) {
        Podman.Result r = podman.exec("inspect", "-f", "{{.State.Running}}", name);
        return r.ok() && r.output().equals("true");
    }

    /**
     * Waits, as the kubelet does, until the readiness probe has passed: after {@code initialDelaySeconds},
     * once every {@code periodSeconds} (at most every 2 s here, so that a test does not wait out long periods).
     * A container that exits fails at once.
     */
    public boolean awaitReady(Pod pod, Duration timeout) {
        Container c = pod.spec().getContainers().get(0);
        Probe probe = c.getReadinessProbe();
        Instant deadline = Instant.now().plus(timeout);
        sleep(Duration.ofSeconds(probe == null || probe.getInitialDelaySeconds() == null ? 0
                : Math.min(probe.getInitialDelaySeconds(), 5)));
        long period = probe == null || probe.getPeriodSeconds() == null ? 10 : probe.getPeriodSeconds();
        while (Instant.now().isBefore(deadline)) {
            if (!running(pod.container())) {
                return false;
            }
            if (probe == null || probe(pod, probe)) {
                return true;
            }
            sleep(Duration.ofSeconds(Math.min(period, 2)));
        }
        return false;
    }

    /** One probe, with its timeout. */
    public boolean probe(Pod pod, Probe probe) {
        Duration timeout = Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds());
        if (probe.getHttpGet() != null) {
            int port = port(pod, probe.getHttpGet().getPort());
            try {
                HttpURLConnection http = (HttpURLConnection) URI.create("http://" + hostPort(pod.ip(), port)
                        + probe.getHttpGet().getPath()).toURL().openConnection();
                http.setConnectTimeout((int) timeout.toMillis());
                http.setReadTimeout((int) timeout.toMillis());
                int code = http.getResponseCode();
                http.disconnect();
                return code >= 200 && code < 400;
            } catch (IOException e) {
                return false;
            }
        }
        if (probe.getTcpSocket() != null) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(pod.ip(), port(pod, probe.getTcpSocket().getPort())),
                        (int) timeout.toMillis());
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        if (probe.getExec() != null) {
            List<String> args = new ArrayList<>(List.of("exec", pod.container()));
            args.addAll(probe.getExec().getCommand());
            return podman.exec(timeout.plusSeconds(5), args).ok();
        }
        throw new IllegalArgumentException(pod.name() + ": probe kind not supported (grpc)");
    }

    /** A probe's port: a number, or the name of one of the container's ports. */
    private static int port(Pod pod, io.fabric8.kubernetes.api.model.IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return nullToEmpty(pod.spec().getContainers().get(0).getPorts()).stream()
                .filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(pod.name() + ": no port named " + port.getStrVal()))
                .getContainerPort();
    }

    // ------------------------------------------------------------------ environment

    private static Map<String, String> environment(String pod, Container c, ObjectSource objects,
            Map<String, String> fields) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : nullToEmpty(c.getEnvFrom())) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                objects.configMap(from.getConfigMapRef().getName())
                        .or(() -> optional(from.getConfigMapRef().getOptional(), pod, from.getConfigMapRef().getName()))
                        .ifPresent(cm -> nullToEmpty(cm.getData()).forEach((k, v) -> env.put(prefix + k, v)));
            }
            if (from.getSecretRef() != null) {
                objects.secret(from.getSecretRef().getName())
                        .or(() -> optional(from.getSecretRef().getOptional(), pod, from.getSecretRef().getName()))
                        .ifPresent(s -> secretData(s).forEach((k, v) -> env.put(prefix + k,
                                new String(v, StandardCharsets.UTF_8))));
            }
        }
        for (EnvVar e : nullToEmpty(c.getEnv())) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                objects.secret(ref.getName()).map(s -> secretData(s).get(ref.getKey()))
                        .ifPresent(v -> env.put(e.getName(), new String(v, StandardCharsets.UTF_8)));
            } else if (e.getValueFrom().getFieldRef() != null) {
                String path = e.getValueFrom().getFieldRef().getFieldPath();
                if (!fields.containsKey(path)) {
                    throw new IllegalArgumentException(pod + ": fieldRef " + path + " is not supported");
                }
                env.put(e.getName(), fields.get(path));
            } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = e.getValueFrom().getConfigMapKeyRef();
                objects.configMap(ref.getName()).map(cm -> nullToEmpty(cm.getData()).get(ref.getKey()))
                        .ifPresent(v -> env.put(e.getName(), v));
            }
        }
        return env;
    }

    private static <T> Optional<T> optional(Boolean optional, String pod, String name) {
        if (Boolean.TRUE.equals(optional)) {
            return Optional.empty();
        }
        throw new IllegalStateException(pod + ": " + name + " does not exist (the kubelet would wait for it)");
    }

    // ------------------------------------------------------------------ volumes

    private String mount(String pod, VolumeMount m, Volume v, Map<String, String> claims, Long fsGroup,
            ObjectSource objects) {
        String target = m.getMountPath();
        boolean readOnly = Boolean.TRUE.equals(m.getReadOnly());
        if (v == null) {
            if (!claims.containsKey(m.getName())) {
                throw new IllegalStateException(pod + ": volume " + m.getName() + " is not defined");
            }
            return claim(claims.get(m.getName()), fsGroup) + ":" + target + (readOnly ? ":ro,nocopy" : ":nocopy");
        }
        if (v.getPersistentVolumeClaim() != null) {
            String volume = claims.getOrDefault(v.getName(), v.getPersistentVolumeClaim().getClaimName());
            boolean ro = readOnly || Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly());
            // nocopy: a PVC starts empty, podman would otherwise copy (and chown) the image's directory into it
            return claim(volume, fsGroup) + ":" + target + (ro ? ":ro,nocopy" : ":nocopy");
        }
        Path dir = volumeRoot.resolve(pod).resolve(v.getName());
        try {
            if (v.getEmptyDir() != null) {
                Files.createDirectories(dir);
                // the kubelet makes emptyDirs world-writable, then group fsGroup with setgid
                chmod(dir, 0777);
                owner(dir, fsGroup, true, false);
                return dir + ":" + target + (readOnly ? ":ro" : "");
            }
            recreate(dir);
            if (v.getConfigMap() != null) {
                var cm = v.getConfigMap();
                Optional<ConfigMap> data = objects.configMap(cm.getName());
                if (data.isEmpty() && !Boolean.TRUE.equals(cm.getOptional())) {
                    throw new IllegalStateException(pod + ": ConfigMap " + cm.getName() + " does not exist");
                }
                writeItems(dir, data.map(PodmanKubelet::configMapData).orElse(Map.of()), cm.getItems(),
                        mode(cm.getDefaultMode()));
            } else if (v.getSecret() != null) {
                var s = v.getSecret();
                Optional<Secret> data = objects.secret(s.getSecretName());
                if (data.isEmpty() && !Boolean.TRUE.equals(s.getOptional())) {
                    throw new IllegalStateException(pod + ": Secret " + s.getSecretName() + " does not exist");
                }
                writeItems(dir, data.map(PodmanKubelet::secretData).orElse(Map.of()), s.getItems(),
                        mode(s.getDefaultMode()));
            } else if (v.getProjected() != null) {
                int defaultMode = mode(v.getProjected().getDefaultMode());
                for (VolumeProjection p : v.getProjected().getSources()) {
                    if (p.getSecret() != null) {
                        Optional<Secret> data = objects.secret(p.getSecret().getName());
                        if (data.isEmpty() && !Boolean.TRUE.equals(p.getSecret().getOptional())) {
                            throw new IllegalStateException(pod + ": Secret " + p.getSecret().getName()
                                    + " does not exist");
                        }
                        data.ifPresent(d -> writeItems(dir, secretData(d), p.getSecret().getItems(), defaultMode));
                    } else if (p.getConfigMap() != null) {
                        Optional<ConfigMap> data = objects.configMap(p.getConfigMap().getName());
                        data.ifPresent(d -> writeItems(dir, configMapData(d), p.getConfigMap().getItems(),
                                defaultMode));
                    } else {
                        throw new IllegalArgumentException(pod + ": projected source not supported: " + p);
                    }
                }
            } else {
                throw new IllegalArgumentException(pod + ": volume type not supported: " + v.getName());
            }
            // ConfigMap, Secret and projected volumes are always read-only (Kubernetes 1.9.6 and later)
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.toList()) {
                    owner(p, fsGroup, Files.isDirectory(p), true);
                }
            }
            chmod(dir, 0755);
            return dir + ":" + target + ":ro";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A podman volume standing for a PVC, created on first use, group-owned by fsGroup as the kubelet does. */
    private String claim(String volume, Long fsGroup) {
        if (!podman.exec("volume", "exists", volume).ok()) {
            List<String> create = new ArrayList<>(List.of("volume", "create", "--label", "io.mailroom.claim=" + volume));
            if (fsGroup != null) {
                // an owner given at creation stops podman from chowning the volume to the image's directory
                create.addAll(List.of("--opt", "o=uid=0,gid=" + fsGroup));
            }
            create.add(volume);
            podman.check(create.toArray(String[]::new));
        }
        Path mountpoint = Path.of(podman.check("volume", "inspect", "-f", "{{.Mountpoint}}", volume));
        try {
            owner(mountpoint, fsGroup, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return volume;
    }

    private static void writeItems(Path dir, Map<String, byte[]> data, List<KeyToPath> items, int defaultMode) {
        try {
            if (items == null || items.isEmpty()) {
                for (Map.Entry<String, byte[]> e : data.entrySet()) {
                    write(dir.resolve(e.getKey()), e.getValue(), defaultMode);
                }
                return;
            }
            for (KeyToPath item : items) {
                byte[] value = data.get(item.getKey());
                if (value == null) {
                    continue; // the kubelet fails the pod unless optional; our projections are optional
                }
                Path file = dir.resolve(item.getPath()).normalize();
                if (!file.startsWith(dir)) {
                    throw new IllegalArgumentException("item path leaves the volume: " + item.getPath());
                }
                write(file, value, item.getMode() == null ? defaultMode : item.getMode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] value, int mode) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, value);
        chmod(file, mode);
    }

    /** The kubelet's SetVolumeOwnership: group fsGroup, read-only volumes g+r, writable g+rw, dirs g+x setgid. */
    private static void owner(Path p, Long fsGroup, boolean directory, boolean readOnly) throws IOException {
        if (fsGroup == null) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        GroupPrincipal group = p.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(String.valueOf(fsGroup));
        view.setGroup(group);
        int mode = modeOf(view.readAttributes().permissions()) | (readOnly ? 0440 : 0660);
        if (directory) {
            mode |= 0110;
        }
        chmod(p, mode);
        if (directory) {
            // setgid is not a PosixFilePermission: chmod g+s
            Process chmod = new ProcessBuilder("chmod", "g+s", p.toString()).start();
            try {
                chmod.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void recreate(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }

    private static int mode(Integer m) {
        return m == null ? 0644 : m;
    }

    /** Permission bits from the lowest (others' x) up, as in an octal mode. */
    private static final PosixFilePermission[] MODE_BITS = {PosixFilePermission.OTHERS_EXECUTE,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private static void chmod(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < MODE_BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(MODE_BITS[i]);
            }
        }
        Files.setPosixFilePermissions(p, perms);
    }

    private static int modeOf(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (int i = 0; i < MODE_BITS.length; i++) {
            if (perms.contains(MODE_BITS[i])) {
                mode |= 1 << i;
            }
        }
        return mode;
    }

    // ------------------------------------------------------------------ helpers

    private long imageUid(String image) {
        String user = podman.check("image", "inspect", "-f", "{{.Config.User}}", image);
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        if (name.isBlank() || name.equals("root") || name.equals("0")) {
            return 0;
        }
        return name.chars().allMatch(Character::isDigit) ? Long.parseLong(name) : -1;
    }

    private static Map<String, byte[]> configMapData(ConfigMap cm) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        nullToEmpty(cm.getData()).forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
        nullToEmpty(cm.getBinaryData()).forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        return out;
    }

    /** A Secret's values: {@code data} is base64, {@code stringData} (as written, before the API server merges it) is text. */
    static Map<String, byte[]> secretData(Secret s) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        nullToEmpty(s.getData()).forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        nullToEmpty(s.getStringData()).forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    /** Whether a Service's selector picks a pod with these labels (a Service without one picks none). */
    public static boolean selects(io.fabric8.kubernetes.api.model.Service s, Map<String, String> labels) {
        Map<String, String> selector = s.getSpec().getSelector();
        return selector != null && !selector.isEmpty()
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** The names cluster DNS gives a Service, each a network alias of the pods it selects. */
    public static List<String> serviceNames(String service, String namespace) {
        return List.of(service, service + "." + namespace, service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local");
    }

    static String hostPort(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String json(List<String> list) {
        StringBuilder b = new StringBuilder("[");
        for (String s : list) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append(']').toString();
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static <T> List<T> nullToEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static <K, V> Map<K, V> nullToEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
