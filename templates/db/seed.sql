-- Local development only: the database and user the API expects, and a little data to click through.
-- Runs once, on the first start of an empty volume (docker-entrypoint-initdb.d). No password: see docker-compose.yml.
CREATE ROLE wms_api LOGIN;
CREATE DATABASE wms OWNER wms_api;
\connect wms
SET ROLE wms_api;
CREATE TABLE warehouses (id serial PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT NULL);
CREATE TABLE items (id serial PRIMARY KEY, sku text NOT NULL UNIQUE, description text NOT NULL);
CREATE TABLE stock (
  warehouse_id integer NOT NULL REFERENCES warehouses (id),
  item_id integer NOT NULL REFERENCES items (id),
  quantity integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (warehouse_id, item_id)
);
INSERT INTO warehouses (code, name) VALUES ('DUB1', 'Dublin North'), ('COR1', 'Cork Harbour');
INSERT INTO items (sku, description) VALUES ('PAL-001', 'Euro pallet'), ('BOX-010', 'Carton 40x30x30');
INSERT INTO stock VALUES (1, 1, 120), (1, 2, 800), (2, 1, 35);
