package imdb

import (
	"fmt"
	"strings"
)

// Identify reads the header row of each path and says which file is which,
// whatever their order. It fails on a header that is none of the four, on
// two files of one kind and when no file is title.basics.
func Identify(paths ...string) (Files, error) {
	var found [numKinds]string
	for _, path := range paths {
		k, err := identify(path)
		if err != nil {
			return Files{}, err
		}
		if found[k] == path {
			return Files{}, fmt.Errorf("%s is given twice", path)
		}
		if found[k] != "" {
			return Files{}, fmt.Errorf("%s and %s are both %s files: give one", found[k], path, k)
		}
		found[k] = path
	}
	if found[titleBasics] == "" {
		return Files{}, fmt.Errorf("no title.basics file among the %d given: want one whose header is %q", len(paths), titleBasics.header())
	}
	return Files{Basics: found[titleBasics], Ratings: found[titleRatings], Crew: found[titleCrew], Names: found[nameBasics]}, nil
}

func identify(path string) (kind, error) {
	t, err := openTSV(path)
	if err != nil {
		return 0, err
	}
	defer t.close()
	for k := range numKinds {
		if t.header == k.header() {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%s: header %s is none of IMDb's; want that of %s", path, quote([]byte(t.header)), expectedHeaders())
}

// expectedHeaders lists the four headers, tabs shown as spaces.
func expectedHeaders() string {
	var list []string
	for k := range numKinds {
		list = append(list, fmt.Sprintf("%s (%s)", k, strings.Join(kinds[k].columns, " ")))
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}
