// Package deploy reads a CDK cloud assembly (cdk.out) and deploys its stacks
// into the local cloud: it resolves the CloudFormation intrinsic functions
// and pseudo parameters the templates use, orders resources by their
// references, and hands each resource to a Target that creates it. What a
// deployment created is recorded, so deploying an unchanged assembly again
// changes nothing.
package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Assembly is a cloud assembly directory as written by `cdk synth`.
type Assembly struct {
	Dir    string
	Stacks []*Stack
}

// Stack is one CloudFormation stack of an assembly.
type Stack struct {
	Name         string
	Dir          string // the assembly directory; asset paths are relative to it
	TemplateFile string
	Template     Template
	Dependencies []string
	// Assets maps an asset's hash to the directory or file holding it.
	Assets map[string]string
}

// Template is the part of a CloudFormation template deploy reads.
type Template struct {
	Parameters map[string]Parameter `json:"Parameters"`
	Resources  map[string]Resource  `json:"Resources"`
	Outputs    map[string]Output    `json:"Outputs"`
	Conditions map[string]any       `json:"Conditions"`
}

// Parameter is a template parameter; only its default is used locally.
type Parameter struct {
	Type    string `json:"Type"`
	Default any    `json:"Default"`
}

// Resource is a template resource.
type Resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	DependsOn  any            `json:"DependsOn"`
	Metadata   map[string]any `json:"Metadata"`
	Condition  string         `json:"Condition"`
}

// Output is a template output.
type Output struct {
	Value       any    `json:"Value"`
	Description string `json:"Description"`
}

type manifestFile struct {
	Artifacts map[string]struct {
		Type         string   `json:"type"`
		Dependencies []string `json:"dependencies"`
		Properties   struct {
			TemplateFile string `json:"templateFile"`
			StackName    string `json:"stackName"`
			File         string `json:"file"`
		} `json:"properties"`
	} `json:"artifacts"`
}

type assetManifest struct {
	Files map[string]struct {
		Source struct {
			Path      string `json:"path"`
			Packaging string `json:"packaging"`
		} `json:"source"`
	} `json:"files"`
}

// ReadAssembly reads dir/manifest.json and every stack template it names.
// Stacks are returned in dependency order.
func ReadAssembly(dir string) (*Assembly, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("read cloud assembly: %w (run `cdk synth` or the app first; the assembly is the directory it writes, usually cdk.out)", err)
	}
	var m manifestFile
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("cloud assembly %s/manifest.json: %w", dir, err)
	}
	a := &Assembly{Dir: dir}
	assets := map[string]string{}
	for id, art := range m.Artifacts {
		if art.Type != "cdk:asset-manifest" {
			continue
		}
		var am assetManifest
		if err := readJSON(filepath.Join(dir, art.Properties.File), &am); err != nil {
			return nil, fmt.Errorf("asset manifest of %s: %w", id, err)
		}
		for hash, f := range am.Files {
			assets[hash] = filepath.Join(dir, f.Source.Path)
		}
	}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	byID := map[string]*Stack{}
	for _, id := range ids {
		art := m.Artifacts[id]
		if art.Type != "aws:cloudformation:stack" {
			continue
		}
		s := &Stack{Name: id, Dir: dir, TemplateFile: art.Properties.TemplateFile, Assets: assets}
		if art.Properties.StackName != "" {
			s.Name = art.Properties.StackName
		}
		for _, d := range art.Dependencies {
			if t := m.Artifacts[d].Type; t == "aws:cloudformation:stack" {
				s.Dependencies = append(s.Dependencies, d)
			}
		}
		if err := readJSON(filepath.Join(dir, s.TemplateFile), &s.Template); err != nil {
			return nil, fmt.Errorf("template of stack %s: %w", s.Name, err)
		}
		byID[id] = s
	}
	if len(byID) == 0 {
		return nil, fmt.Errorf("cloud assembly %s has no stacks", dir)
	}
	done := map[string]bool{}
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		if done[id] {
			return nil
		}
		for _, p := range path {
			if p == id {
				return fmt.Errorf("stacks depend on each other in a cycle: %v", append(path, id))
			}
		}
		s := byID[id]
		for _, d := range s.Dependencies {
			if err := visit(d, append(path, id)); err != nil {
				return err
			}
		}
		done[id] = true
		a.Stacks = append(a.Stacks, s)
		return nil
	}
	for _, id := range ids {
		if byID[id] != nil {
			if err := visit(id, nil); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
