// cnirun: a minimal CNI runtime on libcni (Debian's golang-github-appc-cni-dev), for tests/test_cni.py.
// It runs a network list's ADD, CHECK or DEL as libcni does for a runtime: prevResult for CHECK and
// DEL comes from libcni's own cache of the ADD result. podman 4.3 never calls CHECK; this does.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/containernetworking/cni/libcni"
)

func main() {
	if len(os.Args) != 8 {
		fmt.Fprintln(os.Stderr, "usage: cnirun add|check|del CONFLIST NETNS CONTAINERID IFNAME CNI_PATH CACHEDIR")
		os.Exit(2)
	}
	list, err := libcni.ConfListFromFile(os.Args[2])
	if err == nil {
		cni := libcni.NewCNIConfigWithCacheDir([]string{os.Args[6]}, os.Args[7], nil)
		rt := &libcni.RuntimeConf{ContainerID: os.Args[4], NetNS: os.Args[3], IfName: os.Args[5]}
		ctx := context.Background()
		switch os.Args[1] {
		case "add":
			var res interface{ Print() error }
			res, err = cni.AddNetworkList(ctx, list, rt)
			if err == nil {
				err = res.Print()
			}
		case "check":
			err = cni.CheckNetworkList(ctx, list, rt)
		case "del":
			err = cni.DelNetworkList(ctx, list, rt)
		default:
			err = fmt.Errorf("unknown action %q", os.Args[1])
		}
	}
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
