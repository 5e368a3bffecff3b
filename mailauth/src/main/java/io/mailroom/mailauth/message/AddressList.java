package io.mailroom.mailauth.message;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict parser of RFC 5322 §3.4 address lists, as the From field (§3.6.2, and RFC 6854's
 * groups) carries them: comments (nested, with quoted-pairs), quoted strings, domain literals,
 * groups, and the obsolete forms of §4.4 (obs-phrase, obs-local-part, obs-domain, obs-route,
 * empty list elements). Anything else is a {@link SyntaxException}, never a guess.
 *
 * <p>Why our own parser and not a library's: Jakarta Mail's {@code InternetAddress.parseHeader(s,
 * true)} (angus-mail 2.0.5, checked) accepts {@code alice} without a domain, takes
 * {@code "ceo@example.net"} (a quoted local part and no domain) as an address, reads
 * {@code ceo@example.net <x@attacker.test>} as x@attacker.test with an '@' in the display name,
 * and returns a group as one address; it is built to salvage what a mail client can show. mime4j
 * (apache-mime4j-dom) would add a dependency for the same job. An author domain must come from a
 * reading that refuses whatever two programs could read differently; the grammar is small, and
 * owning it keeps mailauth's dependencies to dnsjava and Bouncy Castle. 8-bit text (RFC 6532) is
 * accepted inside atoms, quoted strings and comments; whether 8-bit may appear at all is
 * {@link HeaderSection}'s check.
 */
public final class AddressList {
    /** An address of the list: a mailbox or a group of mailboxes (§3.4). */
    public sealed interface Address permits Mailbox, Group {}

    /**
     * @param displayName the display name as written (quotes removed), or null
     * @param localPart   the local part (quotes removed, quoted-pairs resolved)
     * @param domain      the domain as written (a domain literal keeps its brackets)
     */
    public record Mailbox(String displayName, String localPart, String domain) implements Address {}

    public record Group(String name, List<Mailbox> members) implements Address {}

    /** The value is not an RFC 5322 address list. */
    public static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    private enum Kind { ATOM, QUOTED, DOMAIN_LITERAL, SPECIAL }

    private record Token(Kind kind, String text) {
        boolean is(char special) {
            return kind == Kind.SPECIAL && text.charAt(0) == special;
        }

        boolean word() {
            return kind == Kind.ATOM || kind == Kind.QUOTED;
        }
    }

    private final List<Token> tokens;
    private int pos;

    private AddressList(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses a field value (unfolded or not) as an address-list. */
    public static List<Address> parse(String value) throws SyntaxException {
        return new AddressList(tokenize(value)).addressList();
    }

    /** Every mailbox of the list, those inside groups included, in order. */
    public static List<Mailbox> mailboxes(List<Address> list) {
        List<Mailbox> out = new ArrayList<>();
        for (Address a : list) {
            if (a instanceof Mailbox m) {
                out.add(m);
            } else if (a instanceof Group g) {
                out.addAll(g.members());
            }
        }
        return out;
    }

    // ---- grammar (§3.4, §4.4) ----

    private List<Address> addressList() throws SyntaxException {
        List<Address> out = new ArrayList<>();
        while (true) {
            // obs-addr-list: empty elements between commas are allowed
            while (peekIs(',')) {
                pos++;
            }
            if (atEnd()) {
                return out;
            }
            out.add(address(false));
            if (atEnd()) {
                return out;
            }
            expect(',', "',' between addresses");
        }
    }

    private Address address(boolean inGroup) throws SyntaxException {
        int start = pos;
        List<Token> phrase = phrase();
        if (peekIs('<')) {
            return angleAddr(phrase.isEmpty() ? null : text(phrase));
        }
        if (peekIs(':') && !phrase.isEmpty()) {
            if (inGroup) {
                throw new SyntaxException("a group inside a group");
            }
            pos++;
            return group(text(phrase));
        }
        if (peekIs('@') && !phrase.isEmpty()) {
            pos = start;
            return addrSpec(null);
        }
        if (phrase.isEmpty()) {
            throw new SyntaxException("expected an address" + found());
        }
        throw new SyntaxException("a display name without an address");
    }

    private Group group(String name) throws SyntaxException {
        List<Mailbox> members = new ArrayList<>();
        while (true) {
            while (peekIs(',')) { // obs-group-list / obs-mbox-list
                pos++;
            }
            if (peekIs(';')) {
                pos++;
                return new Group(name, members);
            }
            if (atEnd()) {
                throw new SyntaxException("group '" + name + "' without ';'");
            }
            members.add((Mailbox) address(true));
            if (!peekIs(';')) {
                expect(',', "',' or ';' in a group");
            }
        }
    }

    private Mailbox angleAddr(String displayName) throws SyntaxException {
        expect('<', "'<'");
        if (peekIs('@')) { // obs-route: "@a.example,@b.example:" before the addr-spec
            do {
                pos++;
                domain();
                while (peekIs(',')) {
                    pos++;
                }
            } while (peekIs('@'));
            expect(':', "':' after a route");
        }
        Mailbox m = addrSpec(displayName);
        expect('>', "'>'");
        return m;
    }

    private Mailbox addrSpec(String displayName) throws SyntaxException {
        StringBuilder local = new StringBuilder();
        local.append(word("local part"));
        while (peekIs('.')) { // dot-atom or obs-local-part: word *("." word)
            pos++;
            local.append('.').append(word("local part after '.'"));
        }
        expect('@', "'@'");
        return new Mailbox(displayName, local.toString(), domain());
    }

    private String domain() throws SyntaxException {
        Token t = next("a domain");
        if (t.kind() == Kind.DOMAIN_LITERAL) {
            return t.text();
        }
        if (t.kind() != Kind.ATOM) {
            throw new SyntaxException("expected a domain, found " + show(t));
        }
        StringBuilder d = new StringBuilder(t.text());
        while (peekIs('.')) { // dot-atom or obs-domain: atom *("." atom)
            pos++;
            Token label = next("a domain label");
            if (label.kind() != Kind.ATOM) {
                throw new SyntaxException("expected a domain label, found " + show(label));
            }
            d.append('.').append(label.text());
        }
        return d.toString();
    }

    /** phrase = 1*word / obs-phrase (word *(word / "." / CFWS)); may be empty here. */
    private List<Token> phrase() {
        List<Token> out = new ArrayList<>();
        while (!atEnd()) {
            Token t = tokens.get(pos);
            if (t.word() || (t.is('.') && !out.isEmpty())) {
                out.add(t);
                pos++;
            } else {
                break;
            }
        }
        return out;
    }

    private static String text(List<Token> phrase) {
        StringBuilder b = new StringBuilder();
        for (Token t : phrase) {
            if (b.length() > 0 && !t.is('.')) {
                b.append(' ');
            }
            b.append(t.text());
        }
        return b.toString();
    }

    private String word(String what) throws SyntaxException {
        Token t = next(what);
        if (!t.word()) {
            throw new SyntaxException("expected " + what + ", found " + show(t));
        }
        return t.text();
    }

    private Token next(String what) throws SyntaxException {
        if (atEnd()) {
            throw new SyntaxException("expected " + what + " at the end");
        }
        return tokens.get(pos++);
    }

    private void expect(char special, String what) throws SyntaxException {
        Token t = next(what);
        if (!t.is(special)) {
            throw new SyntaxException("expected " + what + ", found " + show(t));
        }
    }

    private boolean peekIs(char special) {
        return !atEnd() && tokens.get(pos).is(special);
    }

    private boolean atEnd() {
        return pos >= tokens.size();
    }

    private String found() {
        return atEnd() ? " at the end" : ", found " + show(tokens.get(pos));
    }

    private static String show(Token t) {
        return t.kind() == Kind.SPECIAL ? "'" + t.text() + "'" : t.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---- lexical tokens (§3.2): CFWS is skipped, the rest becomes tokens ----

    private static final String SPECIALS = "<>@,;:.";

    static boolean atext(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0
                || c >= 0x80 && c <= 0xff; // RFC 6532 UTF8-non-ascii, as ISO-8859-1 octets
    }

    private static boolean printable(char c) {
        return c > ' ' && c < 0x7f || c >= 0x80 && c <= 0xff;
    }

    private static List<Token> tokenize(String v) throws SyntaxException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = v.length();
        while (i < n) {
            char c = v.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '\r' && i + 2 < n && v.charAt(i + 1) == '\n' && (v.charAt(i + 2) == ' ' || v.charAt(i + 2) == '\t')) {
                i += 2; // folding (FWS, §3.2.2)
            } else if (c == '(') {
                i = comment(v, i);
            } else if (c == '"') {
                StringBuilder q = new StringBuilder();
                i = quoted(v, i, '"', q);
                out.add(new Token(Kind.QUOTED, q.toString()));
            } else if (c == '[') {
                StringBuilder d = new StringBuilder("[");
                i = quoted(v, i, ']', d);
                out.add(new Token(Kind.DOMAIN_LITERAL, d.append(']').toString()));
            } else if (SPECIALS.indexOf(c) >= 0) {
                out.add(new Token(Kind.SPECIAL, String.valueOf(c)));
                i++;
            } else if (atext(c)) {
                int start = i;
                while (i < n && atext(v.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.ATOM, v.substring(start, i)));
            } else {
                throw new SyntaxException(String.format("character 0x%02x is not allowed here", (int) c));
            }
        }
        return out;
    }

    /** Skips a comment starting at {@code i} (nested comments and quoted-pairs, §3.2.2); returns the index after it. */
    private static int comment(String v, int i) throws SyntaxException {
        int depth = 0;
        while (i < v.length()) {
            char c = v.charAt(i);
            if (c == '\\') {
                i = quotedPair(v, i);
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (!printable(c) && c != ' ' && c != '\t' && !(c == '\r' || c == '\n')) {
                throw new SyntaxException(String.format("character 0x%02x in a comment", (int) c));
            }
            i++;
        }
        throw new SyntaxException("unclosed comment");
    }

    /** Reads a quoted-string ({@code "..."}) or a domain literal ({@code [...]}) into {@code into}. */
    private static int quoted(String v, int i, char close, StringBuilder into) throws SyntaxException {
        i++;
        while (i < v.length()) {
            char c = v.charAt(i);
            if (c == close) {
                return i + 1;
            }
            if (c == '\\') {
                if (close == ']') {
                    throw new SyntaxException("a backslash in a domain literal");
                }
                into.append(v.charAt(i + 1 < v.length() ? i + 1 : i));
                i = quotedPair(v, i);
                continue;
            }
            if (close == ']' && (c == '[')) {
                throw new SyntaxException("'[' in a domain literal");
            }
            if (c == '\r' && i + 2 < v.length() && v.charAt(i + 1) == '\n') {
                i += 2; // folding inside: the CRLF is not part of the content
                continue;
            }
            if (!printable(c) && c != ' ' && c != '\t') {
                throw new SyntaxException(String.format("character 0x%02x in a quoted string", (int) c));
            }
            into.append(c);
            i++;
        }
        throw new SyntaxException(close == '"' ? "unclosed quoted string" : "unclosed domain literal");
    }

    /** quoted-pair = "\" (VCHAR / WSP) (§3.2.1); returns the index after it. */
    private static int quotedPair(String v, int i) throws SyntaxException {
        if (i + 1 >= v.length()) {
            throw new SyntaxException("a backslash at the end");
        }
        char c = v.charAt(i + 1);
        if (!printable(c) && c != ' ' && c != '\t') {
            throw new SyntaxException(String.format("character 0x%02x after a backslash", (int) c));
        }
        return i + 2;
    }
}
