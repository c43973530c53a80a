package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"path"
)

// Langs are the languages of every screen, the first the default.
var Langs = []string{"id", "en"}

// Catalog holds translations: language -> key -> text. Catalogues are
// JSON files named after their language (id.json, en.json), embedded by
// the package that owns the screen.
type Catalog map[string]map[string]string

// LoadCatalog reads DIR/id.json and DIR/en.json from fsys.
func LoadCatalog(fsys fs.FS, dir string) (Catalog, error) {
	c := Catalog{}
	for _, lang := range Langs {
		raw, err := fs.ReadFile(fsys, path.Join(dir, lang+".json"))
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("web: catalogue %s/%s.json: %w", dir, lang, err)
		}
		c[lang] = m
	}
	return c, nil
}

// MustCatalog is LoadCatalog for package variables.
func MustCatalog(fsys fs.FS, dir string) Catalog {
	c, err := LoadCatalog(fsys, dir)
	if err != nil {
		panic(err)
	}
	return c
}

// Merge returns a catalogue with c's texts and then other's (other wins
// on a shared key).
func (c Catalog) Merge(other Catalog) Catalog {
	out := Catalog{}
	for _, lang := range Langs {
		m := map[string]string{}
		maps.Copy(m, c[lang])
		maps.Copy(m, other[lang])
		out[lang] = m
	}
	return out
}

// For returns one language's texts (the default language's for an
// unknown one).
func (c Catalog) For(lang string) map[string]string {
	if m, ok := c[lang]; ok {
		return m
	}
	return c[Langs[0]]
}

// T translates key; a key missing in lang falls back to the default
// language, then to the key itself.
func (c Catalog) T(lang, key string) string {
	if s, ok := c[lang][key]; ok {
		return s
	}
	if s, ok := c[Langs[0]][key]; ok {
		return s
	}
	return key
}

// Missing lists, per language, the keys other languages have and it
// lacks (tests keep catalogues in step with it).
func (c Catalog) Missing() map[string][]string {
	all := map[string]bool{}
	for _, m := range c {
		for k := range m {
			all[k] = true
		}
	}
	out := map[string][]string{}
	for _, lang := range Langs {
		for k := range all {
			if _, ok := c[lang][k]; !ok {
				out[lang] = append(out[lang], k)
			}
		}
	}
	return out
}

// Lang picks a screen's language: ?lang=en for English, otherwise
// Bahasa Indonesia.
func Lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		for _, known := range Langs {
			if l == known {
				return l
			}
		}
	}
	return Langs[0]
}
