package io.mailroom.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the shared loopback configurations of {@code config/}, packaged under {@code mailroom-config/}. */
final class ConfigResources {
    private ConfigResources() {}

    /** Every regular file of a resource directory, name to content, whether on disk or in the testkit jar. */
    static Map<String, String> directory(String dir) throws IOException {
        URL url = Thread.currentThread().getContextClassLoader().getResource(dir);
        if (url == null) {
            throw new IllegalStateException("classpath resource directory " + dir + " not found");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("bad resource URL " + url, e);
        }
        if ("jar".equals(uri.getScheme())) {
            FileSystem fs;
            boolean opened = false;
            try {
                fs = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            } catch (FileSystemAlreadyExistsException e) {
                fs = FileSystems.getFileSystem(uri);
            }
            try {
                return read(fs.getPath(dir));
            } finally {
                if (opened) {
                    fs.close();
                }
            }
        }
        return read(Path.of(uri));
    }

    private static Map<String, String> read(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(Files::isRegularFile).toList()) {
                files.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        return files;
    }
}
