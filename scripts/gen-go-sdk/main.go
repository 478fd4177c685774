// Command gen-go-sdk writes the Go SDK of a Pulumi package schema: what `pulumi package gen-sdk
// --language go` writes, by the same code generator (pkg/v3/codegen/go.GeneratePackage, v3.274.1) that
// the CLI's Go language host calls. This toolchain does not build that host (its module is not served
// here), so scripts/build-pulumi.sh builds this beside the CLI instead.
//
// Usage: gen-go-sdk <schema.json> <out dir>; files land in <out dir>/go, as gen-sdk lays them out.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func run(schemaPath, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// The schema refers to no other package (only pulumi.json#/Any), so the loader never starts a plugin.
	pkg, diags, err := schema.BindSpec(spec, schema.NewPluginLoader(nil), schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := gogen.GeneratePackage("pulumi", pkg, nil)
	if err != nil {
		return err
	}
	for name, data := range files {
		path := filepath.Join(out, "go", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-go-sdk <schema.json> <out dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-go-sdk:", err)
		os.Exit(1)
	}
}
