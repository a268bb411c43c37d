package cluster

// HashSlots is the number of hash slots of a Redis Cluster.
const HashSlots = 16384

// Slot returns the hash slot of key: CRC16 (XMODEM) of the key modulo
// 16384. When the key holds a hash tag, a non-empty part between the
// first '{' and the next '}', only that part is hashed, so that
// "{user1}:a" and "{user1}:b" share a slot.
func Slot(key string) int {
	return int(crc16(hashTag(key)) % HashSlots)
}

// SplitBySlot groups keys by slot, keeping the order of first appearance
// of each slot and of the keys within a group. Each group can be used
// with one connection (MGET, a pipeline, a transaction).
func SplitBySlot(keys ...string) [][]string {
	index := make(map[int]int)
	var groups [][]string
	for _, k := range keys {
		s := Slot(k)
		i, ok := index[s]
		if !ok {
			i = len(groups)
			index[s] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], k)
	}
	return groups
}

// hashTag returns the part of key that is hashed.
func hashTag(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 {
					return key // "{}": the whole key is hashed
				}
				return key[i+1 : j]
			}
		}
		return key // no closing brace
	}
	return key
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the
// checksum Redis Cluster assigns slots with.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^s[i]]
	}
	return crc
}

var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for i := 0; i < 8; i++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()
