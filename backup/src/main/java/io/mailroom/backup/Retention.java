package io.mailroom.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which archives to delete: beyond the newest {@code keepCount} or older than {@code keepAge}.
 * Only files named like our archives are considered, and the newest archive is always kept,
 * so a misconfigured retention can never delete the last backup.
 */
public final class Retention {
    private Retention() {}

    public static List<String> toDelete(List<String> fileNames, Instant now, int keepCount, Duration keepAge) {
        List<Map.Entry<String, Instant>> archives = new ArrayList<>();
        for (String name : fileNames) {
            Optional<Instant> t = ArchiveLayout.archiveTime(name);
            t.ifPresent(i -> archives.add(Map.entry(name, i)));
        }
        archives.sort(Map.Entry.<String, Instant>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())));
        List<String> delete = new ArrayList<>();
        for (int i = 1; i < archives.size(); i++) {
            boolean tooMany = keepCount > 0 && i >= keepCount;
            boolean tooOld = keepAge != null && archives.get(i).getValue().isBefore(now.minus(keepAge));
            if (tooMany || tooOld) {
                delete.add(archives.get(i).getKey());
            }
        }
        return delete;
    }
}
