package metric

import "reflect"

func funcPC(v any) uintptr {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Func || rv.IsNil() {
		return 0
	}
	return rv.Pointer()
}
