package io.mailroom.mailauth.dmarc;

import java.util.Locale;

/**
 * The DMARC verdict for one message (RFC 7489 §6.6), with what Authentication-Results needs
 * ({@code dmarc=<result> header.from=<domain>}, policy details).
 *
 * @param result            pass / fail / none / temperror / permerror
 * @param fromDomain        the RFC5322.From domain evaluated
 * @param organizationalDomain the From domain's organizational domain (RFC 7489: PSL registrable domain; RFC 9989:
 *                          from the DNS Tree Walk; the From domain when it has none)
 * @param policyDomain      where the policy record was found (From domain or organizational domain); null without record
 * @param record            the policy record, null without one
 * @param requestedPolicy   the p= (or sp=) that applies; null without record
 * @param subdomainPolicyApplied true when sp= (or p= of the organizational domain's record) was used for a subdomain
 * @param disposition       what to do with the message after pct sampling: NONE for pass/none/errors
 * @param sampledOut        true when a failing message escaped the requested policy because of pct (RFC 7489)
 * @param testMode          true when a failing message got the policy one level below because of t=y (RFC 9989)
 * @param dkimAligned       a passing DKIM signature's d= aligns with the From domain
 * @param dkimDomain        the aligned DKIM d= domain (null when none aligned)
 * @param spfAligned        SPF passed for a domain aligned with the From domain
 * @param spfDomain         the SPF-authenticated domain given (null when none)
 * @param problem           why the result is temperror/permerror/none, else null
 */
public record DmarcResult(Result result, String fromDomain, String organizationalDomain, String policyDomain,
                          DmarcRecord record, DmarcRecord.Policy requestedPolicy, boolean subdomainPolicyApplied,
                          DmarcRecord.Policy disposition, boolean sampledOut, boolean testMode, boolean dkimAligned, String dkimDomain,
                          boolean spfAligned, String spfDomain, String problem) {

    public enum Result {
        PASS, FAIL, NONE, TEMPERROR, PERMERROR;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The policy properties for Authentication-Results, e.g. {@code policy.dmarc=reject} (RFC 8601 §2.7.2 "policy" ptype). */
    public String policyProperty() {
        return requestedPolicy == null ? null : "policy.dmarc=" + requestedPolicy.keyword();
    }

    /**
     * Properties for {@code AuthenticationResults.dmarc(result, headerFrom, properties)}:
     * {@code policy.dmarc} = the requested policy (p= or sp=), and {@code policy.disposition} =
     * what is done with the message when that differs (pass, pct sampling, t=y). Empty without a record.
     */
    public java.util.Map<String, String> policyProperties() {
        java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
        if (requestedPolicy != null) {
            props.put("policy.dmarc", requestedPolicy.keyword());
            if (disposition != requestedPolicy) {
                props.put("policy.disposition", disposition.keyword());
            }
        }
        return props;
    }

    @Override
    public String toString() {
        return "dmarc=" + result.keyword() + " header.from=" + fromDomain
                + (requestedPolicy != null ? " (p=" + requestedPolicy.keyword() + " dis=" + disposition.keyword()
                + (subdomainPolicyApplied ? " sp" : "") + ")" : "")
                + (problem != null ? " [" + problem + "]" : "");
    }
}
