package io.mailroom.operator.domain;

import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailDomainSpec;
import io.mailroom.operator.api.MailDomainSpec.DkimAlgorithm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DKIM selectors of a MailDomain and the Secret holding their private keys
 * ({@code <selector>.key}, PKCS#8 PEM). The first algorithm gets the selector as written;
 * a second one gets {@code <selector>-rsa} or {@code <selector>-ed25519}.
 */
public final class DkimSecrets {
    public static final String DEFAULT_SELECTOR = "mail";

    private DkimSecrets() {}

    public static String secretName(MailDomain d) {
        return d.getMetadata().getName() + "-dkim";
    }

    public static Map<String, DkimAlgorithm> selectorAlgorithms(MailDomainSpec spec) {
        String selector = spec.dkim == null || spec.dkim.selector == null ? DEFAULT_SELECTOR : spec.dkim.selector;
        List<DkimAlgorithm> algorithms = spec.dkim == null || spec.dkim.algorithms == null
                || spec.dkim.algorithms.isEmpty() ? List.of(DkimAlgorithm.RSA_SHA256, DkimAlgorithm.ED25519_SHA256)
                : spec.dkim.algorithms;
        Map<String, DkimAlgorithm> out = new LinkedHashMap<>();
        for (int i = 0; i < algorithms.size(); i++) {
            DkimAlgorithm a = algorithms.get(i);
            String s = i == 0 ? selector : selector + (a == DkimAlgorithm.RSA_SHA256 ? "-rsa" : "-ed25519");
            out.putIfAbsent(s, a);
        }
        return out;
    }

    public static List<String> selectors(MailDomain d) {
        return new ArrayList<>(selectorAlgorithms(d.getSpec()).keySet());
    }
}
