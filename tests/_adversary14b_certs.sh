#!/bin/bash
# mk NAME SUBJ ISSUER|self KEYTYPE EXTKIND MD
set -e
D=$1; cd "$D"
mk() {
  local n=$1 subj=$2 iss=$3 kt=$4 kind=$5 md=${6:-sha256}
  case $kt in
    ec) KO=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1);;
    p384) KO=(-newkey ec -pkeyopt ec_paramgen_curve:secp384r1);;
    rsa2048) KO=(-newkey rsa:2048);;
    rsa3072) KO=(-newkey rsa:3072);;
    ed25519) KO=(-newkey ed25519);;
    pss) KO=(-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048);;
    reuse:*) KO=(-key ${kt#reuse:}.key); cp ${kt#reuse:}.key $n.key;;
  esac
  case $kind in
    ca) EXT="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign";;
    ca0) EXT="basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign";;
    leaf) EXT="basicConstraints=CA:FALSE
subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth";;
  esac
  printf '%s\n' "$EXT" > $n.ext
  local MDO=(-$md); [ $kt = ed25519 ] && MDO=()
  if [ $iss = self ]; then
    printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%s\n' "$EXT" > $n.cnf
    openssl req -x509 "${KO[@]}" -nodes $( [ -f $n.key ] || echo -keyout $n.key ) -out $n.crt -days 3 -subj "$subj" -config $n.cnf -extensions v3 "${MDO[@]}"
  else
    openssl req -new "${KO[@]}" -nodes $( [ -f $n.key ] || echo -keyout $n.key ) -out $n.csr -subj "$subj"
    local IMDO=(-$md); [ "$(openssl pkey -in $iss.key -noout -text 2>/dev/null | head -1 | grep -c ED25519)" = 1 ] && IMDO=()
    openssl x509 -req -in $n.csr -CA $iss.crt -CAkey $iss.key -set_serial $RANDOM$RANDOM -days 3 -extfile $n.ext "${IMDO[@]}" -out $n.crt
  fi
}
mk ca "/CN=adv14b root" self ec ca
mk ca2 "/CN=adv14b root2" self ec ca
mk i1 "/CN=adv14b i1" ca ec ca
mk i2 "/CN=adv14b i2" i1 ec ca
mk i3 "/CN=adv14b i3" i2 ec ca
mk l1 "/CN=localhost" i1 ec leaf
mk l2 "/CN=localhost" i2 ec leaf
mk l3 "/CN=localhost" i3 ec leaf
mk good "/CN=localhost" ca ec leaf
mk self "/CN=localhost" self ec leaf
# cross-signed: i1x same subject+key as i1 but signed by ca2
mk i1x "/CN=adv14b i1" ca2 reuse:i1 ca
# key types, signed by ca
mk k_ed "/CN=localhost" ca ed25519 leaf
mk k_p384 "/CN=localhost" ca p384 leaf sha384
mk k_r3072 "/CN=localhost" ca rsa3072 leaf sha512
mk k_pss "/CN=localhost" ca pss leaf
mk k_r2048 "/CN=localhost" ca rsa2048 leaf
# roots of other key types
mk r_ed "/CN=adv14b ed root" self ed25519 ca
mk l_ed "/CN=localhost" r_ed ec leaf
mk r_p384 "/CN=adv14b p384 root" self p384 ca sha384
mk l_p384 "/CN=localhost" r_p384 ec leaf sha384
mk r_pss "/CN=adv14b pss root" self pss ca
mk l_pss "/CN=localhost" r_pss ec leaf
mk r_rsa "/CN=adv14b rsa root" self rsa3072 ca sha512
mk l_rsa "/CN=localhost" r_rsa rsa2048 leaf sha512
# pathlen root
mk r_pl "/CN=adv14b pl root" self ec ca0
mk i_pl "/CN=adv14b pl i" r_pl ec ca
mk l_pl "/CN=localhost" i_pl ec leaf
mk l_pl0 "/CN=localhost" r_pl ec leaf
# pems: leaf + chain
cat l1.crt i1.crt > l1.pem; cat l1.crt i1x.crt > l1_x.pem; cat l1.crt i1x.crt ca2.crt > l1_x2.pem
cat l1.crt i1.crt ca.crt > l1_r.pem
cat l2.crt i2.crt i1.crt > l2.pem; cat l2.crt i1.crt i2.crt > l2_ooo.pem
cat l3.crt i3.crt i2.crt i1.crt ca.crt > l3_full.pem; cat l3.crt ca.crt i1.crt i3.crt i2.crt > l3_ooo.pem
cat l3.crt i3.crt i2.crt i1.crt > l3.pem
cat good.crt > good.pem; cat self.crt > self.pem; cat good.crt ca.crt > good_r.pem
for k in k_ed k_p384 k_r3072 k_pss k_r2048 l_ed l_p384 l_pss l_rsa l_pl0; do cp $k.crt $k.pem; done
cat l_pl.crt i_pl.crt > l_pl.pem
# capath dirs
mkdir -p cap_ca cap_i1 cap_ca_i1; cp ca.crt cap_ca/; cp i1.crt cap_i1/; cp ca.crt i1.crt cap_ca_i1/
for d in cap_ca cap_i1 cap_ca_i1; do openssl rehash $d 2>/dev/null || c_rehash $d; done

for p in l1_r:l1 l1_x:l1 l1_x2:l1 l2_ooo:l2 l3_full:l3 l3_ooo:l3 good_r:good; do cp ${p#*:}.key ${p%:*}.key; done
