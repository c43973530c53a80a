// Package jsonenctest helps the tests of hand-written JSON encoders.
package jsonenctest

import (
	"reflect"
	"time"
)

// FillTime is the time Fill puts in every time.Time: nanoseconds and an
// offset with half an hour, as a hand-written encoder must get right.
var FillTime = time.Date(2026, 11, 26, 8, 3, 11, 123456789, time.FixedZone("", -(3*3600+30*60)))

// Fill sets every exported field that v (a pointer to a struct) reaches to
// a value that is not zero: strings that need escaping, negative numbers,
// true, FillTime, slices of two, new pointees. With every field set,
// json.Marshal writes every field, omitempty ones included, so comparing
// an encoder's bytes with json.Marshal's catches a field it forgot, also
// one added to the struct after the encoder was written.
func Fill(v any) {
	fill(reflect.ValueOf(v).Elem(), 0)
}

func fill(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	if v.Type() == reflect.TypeOf(time.Time{}) {
		v.Set(reflect.ValueOf(FillTime))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("<a href=\"x\">&</a> \u2028 é \xff \\ \x01")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(-7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(2.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}
