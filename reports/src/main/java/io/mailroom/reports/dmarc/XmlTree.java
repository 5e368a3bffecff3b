package io.mailroom.reports.dmarc;

import io.mailroom.reports.ReportException;
import io.mailroom.reports.ReportLimits;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A report's XML as a small element tree, read with the JDK's StAX parser set up against the
 * classic XML attacks: a document type declaration is refused outright (no DTD means no
 * external entities, XXE, and no entity expansion, "billion laughs"), and depth, text length
 * and element count are bounded. Namespaces are dropped (RFC 9990 reports carry one, RFC 7489
 * ones none): elements are matched by local name.
 */
record XmlTree(String name, String text, List<XmlTree> children) {

    static XmlTree parse(byte[] xml, ReportLimits limits) throws ReportException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        List<Builder> stack = new ArrayList<>();
        Builder root = null;
        int elements = 0;
        try {
            XMLStreamReader r = f.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                while (r.hasNext()) {
                    int event = r.next();
                    switch (event) {
                        case XMLStreamConstants.DTD ->
                                throw new ReportException("XML with a document type declaration (DTD) is refused: a report needs none");
                        case XMLStreamConstants.ENTITY_REFERENCE ->
                                throw new ReportException("XML entity reference '" + r.getLocalName() + "' is refused");
                        case XMLStreamConstants.START_ELEMENT -> {
                            if (++elements > limits.maxRecords() * 40) {
                                throw new ReportException("XML has more than " + limits.maxRecords() * 40 + " elements");
                            }
                            if (stack.size() >= limits.maxDepth()) {
                                throw new ReportException("XML is nested deeper than " + limits.maxDepth() + " elements");
                            }
                            Builder b = new Builder(r.getLocalName());
                            if (stack.isEmpty()) {
                                root = b;
                            } else {
                                stack.get(stack.size() - 1).children.add(b);
                            }
                            stack.add(b);
                        }
                        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                            if (!stack.isEmpty()) {
                                StringBuilder t = stack.get(stack.size() - 1).text;
                                if (t.length() + r.getTextLength() > limits.maxTextChars()) {
                                    throw new ReportException("XML text longer than " + limits.maxTextChars() + " characters");
                                }
                                t.append(r.getText());
                            }
                        }
                        case XMLStreamConstants.END_ELEMENT -> stack.remove(stack.size() - 1);
                        default -> { }
                    }
                }
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new ReportException("XML does not parse: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            throw new ReportException("XML has no root element");
        }
        return root.build();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        String m = s.replaceAll("\\s+", " ").strip();
        return m.length() > 200 ? m.substring(0, 200) : m;
    }

    private static final class Builder {
        final String name;
        final StringBuilder text = new StringBuilder();
        final List<Builder> children = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        XmlTree build() {
            List<XmlTree> c = new ArrayList<>(children.size());
            for (Builder b : children) {
                c.add(b.build());
            }
            return new XmlTree(name, text.toString().strip(), List.copyOf(c));
        }
    }

    /** The first child of that name, or null. */
    XmlTree child(String n) {
        for (XmlTree c : children) {
            if (c.name.equals(n)) {
                return c;
            }
        }
        return null;
    }

    List<XmlTree> all(String n) {
        return children.stream().filter(c -> c.name.equals(n)).toList();
    }

    /** The text of a child, null when absent or empty. */
    String text(String n) {
        XmlTree c = child(n);
        return c == null || c.text.isEmpty() ? null : c.text;
    }
}
