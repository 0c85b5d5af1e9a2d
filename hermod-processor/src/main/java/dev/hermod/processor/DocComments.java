package dev.hermod.processor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.util.Elements;

/**
 * Copies an operation's doc comment onto its asynchronous form.
 *
 * <p>The text is kept as written, with one change: the asynchronous method declares no exceptions,
 * so each {@code @throws X text} tag becomes a paragraph "The result completes exceptionally with
 * {@code X} text". Left as a tag it would be wrong, and javadoc's doclint rejects {@code @throws}
 * of a checked exception the method does not declare, failing the user's javadoc build.
 *
 * <p>Markdown comments ({@code ///}, JDK 23+) stay Markdown.
 */
final class DocComments {
    /** {@code Elements.getDocCommentKind}, present from JDK 23; null before. */
    private static final Method DOC_COMMENT_KIND = docCommentKind();

    private DocComments() {}

    /**
     * The comment to put before the asynchronous form of {@code method}, indented, each line ending
     * with a newline; empty when the method has no doc comment.
     */
    static String render(Elements elements, Element method, String indent) {
        return render(elements, method, indent, true);
    }

    /**
     * The comment to put before another form of {@code method}, as {@link #render(Elements,
     * Element, String)}; {@code @throws} tags are kept as they are unless {@code rewriteThrows}.
     */
    static String render(Elements elements, Element method, String indent, boolean rewriteThrows) {
        String raw = elements.getDocComment(method);
        if (raw == null || raw.isBlank()) {
            return "";
        }
        boolean markdown = isMarkdown(elements, method);
        List<String> lines = rewriteThrows ? rewriteThrows(normalize(raw), markdown) : normalize(raw);
        StringBuilder out = new StringBuilder();
        if (markdown) {
            for (String line : lines) {
                out.append(indent).append("///").append(line.isEmpty() ? "" : " " + line).append('\n');
            }
        } else {
            out.append(indent).append("/**\n");
            for (String line : lines) {
                out.append(indent).append(" *").append(line.isEmpty() ? "" : " " + line).append('\n');
            }
            out.append(indent).append(" */\n");
        }
        return out.toString();
    }

    /**
     * Lines without trailing blanks, leading and trailing empty lines, and the indentation they all
     * share (javac leaves the blank after each {@code *}); relative indentation, as in
     * {@code <pre>}, stays.
     */
    static List<String> normalize(String raw) {
        List<String> lines = new ArrayList<>();
        for (String line : raw.split("\r\n|\r|\n", -1)) {
            lines.add(line.stripTrailing());
        }
        while (!lines.isEmpty() && lines.get(0).isEmpty()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        int common = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isEmpty()) {
                common = Math.min(common, line.length() - line.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isEmpty() ? line : line.substring(common));
        }
        return out;
    }

    /** Moves {@code @throws} and {@code @exception} tags into the description as paragraphs. */
    static List<String> rewriteThrows(List<String> lines, boolean markdown) {
        List<String> description = new ArrayList<>();
        List<List<String>> tags = new ArrayList<>();
        int depth = 0; // inside an inline tag such as {@code ...}, a line starting with @ is text
        for (String line : lines) {
            if (depth == 0 && isBlockTagStart(line)) {
                tags.add(new ArrayList<>());
            }
            (tags.isEmpty() ? description : tags.get(tags.size() - 1)).add(line);
            depth = inlineDepth(line, depth);
        }
        List<List<String>> kept = new ArrayList<>();
        List<List<String>> completions = new ArrayList<>();
        for (List<String> tag : tags) {
            String first = tag.get(0).strip();
            String name = first.split("\\s+", 2)[0];
            if (!name.equals("@throws") && !name.equals("@exception")) {
                kept.add(tag);
                continue;
            }
            String[] parts = first.split("\\s+", 3);
            String type = parts.length > 1 ? parts[1] : "";
            String text = parts.length > 2 ? parts[2] : "";
            List<String> paragraph = new ArrayList<>();
            String code = markdown ? "`" + type + "`" : "{@code " + type + "}";
            paragraph.add("The result completes exceptionally with " + code + (text.isEmpty() ? "" : " " + text));
            for (String more : tag.subList(1, tag.size())) {
                paragraph.add(more.strip());
            }
            trimTrailingEmpty(paragraph);
            int last = paragraph.size() - 1;
            String end = paragraph.get(last);
            if (!end.endsWith(".") && !end.endsWith("!") && !end.endsWith("?") && !end.endsWith(">")) {
                paragraph.set(last, end + ".");
            }
            completions.add(paragraph);
        }
        List<String> out = new ArrayList<>(description);
        trimTrailingEmpty(out);
        for (List<String> paragraph : completions) {
            if (!out.isEmpty()) {
                out.add("");
                if (!markdown) {
                    paragraph.set(0, "<p>" + paragraph.get(0));
                }
            }
            out.addAll(paragraph);
        }
        for (int i = 0; i < kept.size(); i++) {
            List<String> tag = new ArrayList<>(kept.get(i));
            trimTrailingEmpty(tag);
            if (i == 0 && !out.isEmpty()) {
                out.add("");
            }
            out.addAll(tag);
        }
        return out;
    }

    private static boolean isBlockTagStart(String line) {
        String s = line.stripLeading();
        return s.length() > 1 && s.charAt(0) == '@' && Character.isLetter(s.charAt(1));
    }

    private static int inlineDepth(String line, int depth) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '{' && (depth > 0 || (i + 1 < line.length() && line.charAt(i + 1) == '@'))) {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            }
        }
        return depth;
    }

    private static void trimTrailingEmpty(List<String> lines) {
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
    }

    private static boolean isMarkdown(Elements elements, Element method) {
        if (DOC_COMMENT_KIND == null) {
            return false;
        }
        try {
            Object kind = DOC_COMMENT_KIND.invoke(elements, method);
            return kind != null && kind.toString().equals("END_OF_LINE");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static Method docCommentKind() {
        try {
            return Elements.class.getMethod("getDocCommentKind", Element.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
