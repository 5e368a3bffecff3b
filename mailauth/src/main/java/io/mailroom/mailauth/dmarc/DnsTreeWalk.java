package io.mailroom.mailauth.dmarc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The DNS Tree Walk of RFC 9989 §4.10, which replaces the Public Suffix List: the DMARC records
 * from a name up to its top-level domain, at most {@value #MAX_QUERIES} queries, and the
 * organizational domain chosen from what the walk found (§4.10.2).
 */
final class DnsTreeWalk {
    /** §4.10: names of eight or more labels jump to seven after the first query, so no walk asks more. */
    static final int MAX_QUERIES = 8;

    /** One name of a walk and what it holds. */
    record Step(String domain, DmarcLookup.Found found) {}

    /**
     * What a walk found, longest name first.
     *
     * @param tempFailed a query failed before any valid record was found: nothing can be concluded
     */
    record Walk(String start, List<Step> steps, boolean tempFailed) {

        /** §4.10.2: the organizational domain of {@link #start}. */
        String organizationalDomain() {
            for (Step s : steps) {
                if (!s.found().valid()) {
                    continue;
                }
                DmarcRecord.Psd psd = s.found().record().psd();
                if (psd == DmarcRecord.Psd.N) {
                    return s.domain(); // rule 1
                }
                if (psd == DmarcRecord.Psd.Y && !s.domain().equals(start)) {
                    return oneLabelBelow(s.domain()); // rule 2
                }
            }
            // rule 3: the record with the fewest labels; no record at all: the start itself
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (steps.get(i).found().valid()) {
                    return steps.get(i).domain();
                }
            }
            return start;
        }

        /** The valid record with psd=y the walk stopped at (the Public Suffix Domain), else null. */
        Step publicSuffixDomain() {
            return steps.stream().filter(s -> s.found().valid() && s.found().record().psd() == DmarcRecord.Psd.Y)
                    .findFirst().orElse(null);
        }

        /** The step for one name of the walk, else null. */
        Step at(String domain) {
            return steps.stream().filter(s -> s.domain().equals(domain)).findFirst().orElse(null);
        }

        /** The name of {@link #start}'s ancestry one label longer than {@code ancestor}. */
        private String oneLabelBelow(String ancestor) {
            String[] labels = start.split("\\.");
            int keep = ancestor.split("\\.").length + 1;
            return String.join(".", Arrays.copyOfRange(labels, labels.length - keep, labels.length));
        }
    }

    private DnsTreeWalk() {}

    /**
     * The names a full walk from {@code domain} queries (§4.10 steps 3, 4 and 7): the name itself,
     * then, below eight labels, one label less each time; from eight labels on, straight to the
     * last seven first.
     */
    static List<String> targets(String domain) {
        String[] labels = domain.split("\\.");
        List<String> names = new ArrayList<>();
        names.add(domain);
        int next = labels.length >= MAX_QUERIES ? MAX_QUERIES - 1 : labels.length - 1;
        for (int n = next; n >= 1; n--) {
            names.add(String.join(".", Arrays.copyOfRange(labels, labels.length - n, labels.length)));
        }
        return names;
    }

    /**
     * Walks from {@code start} (§4.10 steps 1-7), stopping at a valid record with a psd tag, or
     * at a DNS failure. A failure above a valid record ends the walk with what it found, as if
     * the top had been reached: the record found decides the policy (§4.10.1 prefers the nearest),
     * and a parent that does not answer (a registry, a refusing resolver) must not turn every
     * message of a domain with a record into a temporary error.
     */
    static Walk walk(String start, DmarcLookup lookup) {
        List<Step> steps = new ArrayList<>();
        for (String name : targets(start)) {
            DmarcLookup.Found found = lookup.at(name);
            if (found.status() == DmarcLookup.Found.Status.TEMPFAIL) {
                boolean foundOne = steps.stream().anyMatch(s -> s.found().valid());
                if (!foundOne) {
                    steps.add(new Step(name, found));
                }
                return new Walk(start, List.copyOf(steps), !foundOne);
            }
            steps.add(new Step(name, found));
            if (found.valid() && found.record().psd() != DmarcRecord.Psd.U) {
                break;
            }
        }
        return new Walk(start, List.copyOf(steps), false);
    }
}
