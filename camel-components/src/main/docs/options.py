#!/usr/bin/env python3
"""Refreshes the option and header tables of the component pages from the catalog JSON that
camel-component-maven-plugin generates at build time (run after `mvn -pl camel-components package`):
    python3 camel-components/src/main/docs/options.py
The tables sit between '// options: START' and '// options: END' in each page."""
import json, os, re

here = os.path.dirname(os.path.abspath(__file__))
gen = os.path.join(here, "..", "..", "generated", "resources", "META-INF", "io", "camelfs", "camel")

def table(title, rows):
    out = [f".{title}", '[cols="2,1,1,5",options="header"]', "|===", "| Name | Kind | Default | Description"]
    for name, o in rows.items():
        d = str(o.get("defaultValue", "")).replace("|", "\\|")
        desc = o.get("description", "").replace("|", "\\|")
        out.append(f"| `{name}` | {o.get('kind', o.get('label', ''))} | {d} | {desc}")
    out.append("|===")
    return "\n".join(out)

for scheme in ("gluster", "brick"):
    cat = json.load(open(os.path.join(gen, scheme, scheme + ".json")))
    parts = [table("Endpoint options", cat.get("properties", {}))]
    if cat.get("headers"):
        parts.append(table("Message headers", cat["headers"]))
    page = os.path.join(here, scheme + "-component.adoc")
    text = open(page).read()
    text = re.sub(r"// options: START.*// options: END", "// options: START\n" + "\n\n".join(parts)
                  + "\n// options: END", text, flags=re.S)
    open(page, "w").write(text)
    print("updated", page)
