/**
 * rllab's Box2D models (rllab/envs/box2d/models/*.xml.mako) built in planck.js, a port of Box2D
 * 2.3 (the engine rllab ran through pybox2d): the peer our rllab-* equations are compared with.
 * World settings as rllab's parser leaves them: pybox2d's default gravity (0, -10), no sleeping,
 * the model's time step and solver iterations (8 velocity and 3 position unless the model says).
 * A body's fixtures in group -1 never collide with each other, and joined bodies never collide.
 */
import { Box, Chain, Polygon, PrismaticJoint, RevoluteJoint, Vec2, World } from 'planck';

const newWorld = () => new World({ gravity: Vec2(0, -10), allowSleep: false });

/** rllab's compute_rect_vertices for a segment along y: a box of half-width r from y0 to y1. */
const rect = (y0: number, y1: number, r: number) => [Vec2(r, y0), Vec2(r, y1), Vec2(-r, y1), Vec2(-r, y0)];

export interface Box2dCartPole {
  step(force: number): void;
  /** [x, x_dot, theta, theta_dot] as rllab reads them (body xpos, xvel, angle, angular velocity). */
  state(): number[];
}

/** cartpole.xml.mako from a consistent state (the pole's body moves with the cart). */
export function box2dCartPole([x, v, theta, w]: readonly number[]): Box2dCartPole {
  const world = newWorld();
  const width = 4 / Math.sqrt(12), height = 3 / Math.sqrt(12);
  const cart = world.createBody({ type: 'dynamic', position: Vec2(x, height / 2) });
  cart.createFixture(new Box(width / 2, height / 2), { density: 1, friction: 0.0005 });
  const pole = world.createBody({ type: 'dynamic', position: Vec2(x, height), angle: theta });
  pole.createFixture(new Polygon(rect(0, 1, 0.05)), { density: 1, friction: 0.000002, filterGroupIndex: -1 });
  const track = world.createBody({ type: 'static', position: Vec2(0, height / 2) });
  track.createFixture(new Box(100, 0.1), { friction: 0.000002, filterGroupIndex: -1 });
  world.createJoint(new RevoluteJoint({}, cart, pole, Vec2(x, height)));
  // As rllab creates it (cart and track centres coincide at x = 0): anchors at both centres.
  world.createJoint(new PrismaticJoint({ bodyA: track, bodyB: cart, localAnchorA: Vec2(0, 0), localAnchorB: Vec2(0, 0), localAxisA: Vec2(1, 0) }));
  cart.setLinearVelocity(Vec2(v, 0));
  pole.setAngularVelocity(w);
  const c = pole.getWorldCenter();
  pole.setLinearVelocity(Vec2(v - w * (c.y - height), w * (c.x - x)));
  return {
    step(force) {
      cart.applyForce(Vec2(force, 0), cart.getWorldCenter(), true);
      world.step(0.05, 8, 3);
    },
    state: () => [cart.getPosition().x, cart.getLinearVelocity().x, pole.getAngle(), pole.getAngularVelocity()],
  };
}

export interface Box2dAcrobot {
  /** One env step: frame_skip 2 world steps of 0.01 s with the elbow motor at torque `tau`. */
  step(tau: number): void;
  /** One world step of 0.01 s. */
  worldStep(tau: number): void;
  /** [theta1, theta2, w1, w2]: the links' body angles and angular velocities. */
  state(): number[];
  /** rllab's get_tip_pos reward: minus the distance of (elbow.x - sin t2, elbow.y - cos t2) from (0, 2). */
  reward(): number;
}

/** double_pendulum.xml.mako (link_len 1) from a consistent state. */
export function box2dAcrobot([t1, t2, w1, w2]: readonly number[]): Box2dAcrobot {
  const world = newWorld();
  const elbow = Vec2(Math.sin(t1), -Math.cos(t1));
  const link1 = world.createBody({ type: 'dynamic', position: Vec2(0, 0), angle: t1 });
  link1.createFixture(new Polygon(rect(0, -1, 0.05)), { density: 5, filterGroupIndex: -1 });
  const link2 = world.createBody({ type: 'dynamic', position: elbow, angle: t2 });
  link2.createFixture(new Polygon(rect(0, -1, 0.05)), { density: 5, filterGroupIndex: -1 });
  const track = world.createBody({ type: 'static', position: Vec2(0, -0.1) });
  track.createFixture(new Box(100, 0.1), { filterGroupIndex: -1 });
  world.createJoint(new RevoluteJoint({}, track, link1, Vec2(0, 0)));
  const motor = world.createJoint(new RevoluteJoint({}, link1, link2, elbow))!;
  // Rigid-body velocities of the state: link 1 turns about the origin at w1...
  const c1 = link1.getWorldCenter();
  link1.setLinearVelocity(Vec2(-w1 * c1.y, w1 * c1.x));
  link1.setAngularVelocity(w1);
  // ...and link 2 moves with the elbow plus its own rotation about it.
  const elbowVelocity = Vec2(w1 * Math.cos(t1), w1 * Math.sin(t1));
  const c2 = link2.getWorldCenter();
  link2.setLinearVelocity(Vec2(elbowVelocity.x - w2 * (c2.y - elbow.y), elbowVelocity.y + w2 * (c2.x - elbow.x)));
  link2.setAngularVelocity(w2);
  return {
    worldStep(tau) {
      motor.enableMotor(true);
      motor.setMotorSpeed(tau > 0 ? 1e5 : -1e5);
      motor.setMaxMotorTorque(Math.abs(tau));
      world.step(0.01, 20, 20);
    },
    step(tau) {
      this.worldStep(tau);
      this.worldStep(tau);
    },
    state: () => [link1.getAngle(), link2.getAngle(), link1.getAngularVelocity(), link2.getAngularVelocity()],
    reward() {
      const p = link2.getPosition(), a = link2.getAngle();
      return -Math.hypot(p.x - Math.sin(a), p.y - Math.cos(a) - 2);
    },
  };
}

export interface Box2dMountainCar {
  step(force: number): void;
  /** [x, x_dot, y] of the cart's centre. */
  state(): number[];
}

/** mountain_car.xml.mako as rllab resets it: the cart at (0, 0.05), horizontal speed v. */
export function box2dMountainCar(v: number): Box2dMountainCar {
  const world = newWorld();
  const cart = world.createBody({ type: 'dynamic', position: Vec2(0, 0.05) });
  cart.createFixture(new Box(0.2, 0.1), { density: 5, friction: 0.0005 });
  const track = world.createBody({ type: 'static', position: Vec2(0, 1) });
  const m = 100, width = 4, height = 1;
  const vertices = Array.from({ length: 2 * m + 1 }, (_, j) => {
    const i = j - m;
    return Vec2((0.5 / m) * i * width, height * Math.sin((i / m - 0.5) * Math.PI));
  });
  track.createFixture(new Chain(vertices, false), { friction: 0.2 });
  cart.setLinearVelocity(Vec2(v, 0));
  return {
    step(force) {
      // rllab's control: force along the cart's local x axis, at its origin.
      cart.applyForce(cart.getWorldVector(Vec2(force, 0)), cart.getWorldPoint(Vec2(0, 0)), true);
      world.step(0.05, 8, 3);
    },
    state: () => [cart.getPosition().x, cart.getLinearVelocity().x, cart.getPosition().y],
  };
}
