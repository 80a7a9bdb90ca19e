// Command ksops is drkit's build of the KSOPS kustomize plugin contract (viaduct.ai/v1, kind
// ksops): a generator whose `files` are SOPS-encrypted manifests, output decrypted, with the
// same SOPS library and key sources (age, Vault transit, cloud KMS) as the sops command beside
// it. The upstream module is not served by the Go module proxy here, so the local Argo CD repo
// server runs this one; clouds run the pinned KSOPS image.
//
// Both ways kustomize runs it (`kustomize build --enable-alpha-plugins --enable-exec`, as Argo
// CD's kustomize.buildOptions say):
//   - as an exec KRM function (annotation config.kubernetes.io/function with exec.path: ksops):
//     a ResourceList on stdin whose functionConfig is the generator, a ResourceList on stdout;
//   - as a legacy exec plugin: the generator's file as its only argument, the manifests on stdout.
//
// File paths are relative to the kustomization's directory (the working directory kustomize
// runs it in). `secretFrom` is not supported: it fails naming the generator.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/getsops/sops/v3/decrypt"
	"go.yaml.in/yaml/v3"
)

type metadata struct {
	Name string `yaml:"name"`
}

type generator struct {
	APIVersion string        `yaml:"apiVersion"`
	Kind       string        `yaml:"kind"`
	Metadata   metadata      `yaml:"metadata"`
	Files      []string      `yaml:"files"`
	SecretFrom []interface{} `yaml:"secretFrom"`
}

type resourceList struct {
	APIVersion     string      `yaml:"apiVersion"`
	Kind           string      `yaml:"kind"`
	Items          []yaml.Node `yaml:"items"`
	FunctionConfig yaml.Node   `yaml:"functionConfig"`
}

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "ksops: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 1 {
		raw, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		var g generator
		if err := yaml.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		docs, err := decryptFiles(g)
		if err != nil {
			return err
		}
		for i, doc := range docs {
			if i > 0 {
				fmt.Fprintln(stdout, "---")
			}
			if err := encode(stdout, &doc); err != nil {
				return err
			}
		}
		return nil
	}
	if len(args) > 1 {
		return errors.New("usage: ksops [GENERATOR_FILE] (without one, a KRM ResourceList on stdin)")
	}
	var list resourceList
	if err := yaml.NewDecoder(stdin).Decode(&list); err != nil {
		return fmt.Errorf("reading the ResourceList on stdin: %w", err)
	}
	if list.FunctionConfig.Kind == 0 {
		return errors.New("the ResourceList on stdin has no functionConfig (the ksops generator)")
	}
	var g generator
	if err := list.FunctionConfig.Decode(&g); err != nil {
		return fmt.Errorf("the ksops generator: %w", err)
	}
	docs, err := decryptFiles(g)
	if err != nil {
		return err
	}
	out := resourceList{APIVersion: "config.kubernetes.io/v1", Kind: "ResourceList"}
	out.Items = append(list.Items, docs...)
	return encode(stdout, out)
}

// decryptFiles decrypts every file of the generator, in order, into its YAML documents.
func decryptFiles(g generator) ([]yaml.Node, error) {
	name := g.Metadata.Name
	if g.Kind != "ksops" {
		return nil, fmt.Errorf("generator %q is a %s, not a ksops", name, g.Kind)
	}
	if len(g.SecretFrom) > 0 {
		return nil, fmt.Errorf("generator %q uses secretFrom, which drkit's ksops does not support: list the encrypted manifests under files", name)
	}
	var docs []yaml.Node
	for _, file := range g.Files {
		path := filepath.Clean(file)
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("generator %q: %w", name, err)
		}
		// The format by extension, as KSOPS and the sops command pick it.
		clear, err := decrypt.DataWithFormat(raw, formats.FormatForPath(path))
		if err != nil {
			return nil, fmt.Errorf("generator %q: decrypting %s: %w", name, file, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(clear))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("generator %q: %s is not YAML once decrypted: %w", name, file, err)
			}
			if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
				docs = append(docs, *doc.Content[0])
			}
		}
	}
	return docs, nil
}

func encode(w io.Writer, v interface{}) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
